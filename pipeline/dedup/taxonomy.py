"""Concept matching: one character trie over concept aliases, intent cues and filler; the longest match wins."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pipeline.config import Concept, DedupRules, Topic

_SEPARATORS = re.compile(r"[\s\-_\u3000\u2010-\u2013]+")  # hyphens, the en dash too ('encoder–decoder')
_SPACE_BY_CJK = re.compile(r" (?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff]) ")
_QUOTES = str.maketrans("‘’“”", "''\"\"")
_CONTRACTIONS = ((re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
                 (re.compile(r"n't\b"), " not"))
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_END = ""  # the trie key holding a phrase's payload (never a character of the text)


class Role(Enum):
    """What a matched phrase is."""

    CONCEPT = "concept"
    INTENT = "intent"
    FILLER = "filler"
    SCOPE = "scope"  # the rest of the clause says where the question stands, not what it asks
    DIRECTION = "direction"  # which way a quantity goes ('过大' up, '过小' down)
    PREFER = "prefer"  # the concepts before it are chosen over those after it ('A rather than B', '用A而不是B')


@dataclass(frozen=True)
class Hit:
    """One phrase found in normalized text."""

    role: Role
    value: str
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC, lower case, straight quotes, "n't" as " not", every run of spaces, hyphens (en dash too) and underscores as
    one space, none beside a Chinese character ('L2 正则化' is 'L2正则化')."""
    lowered = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES)
    for contraction, full in _CONTRACTIONS:
        lowered = contraction.sub(full, lowered)
    spaced = _SEPARATORS.sub(" ", lowered).strip()
    return _SPACE_BY_CJK.sub("", spaced)


class Trie:
    """Phrases by character; `scan` finds the longest phrase at each position, left to right, without overlap.

    ASCII phrases match whole words only (an English plural 's'/'es' is absorbed); others match anywhere.
    """

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.size = 0

    def add(self, phrase: str, role: Role, value: str) -> None:
        key = normalize(phrase)
        if not key:
            return
        node = self.root
        for ch in key:
            node = node.setdefault(ch, {})
        if _END not in node:  # the first definition of a phrase wins (concepts are added before cues and filler)
            node[_END] = (role, value)
            self.size += 1

    def scan(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        n, i, root = len(text), 0, self.root
        while i < n:
            if text[i] in _ASCII_WORD and i and text[i - 1] in _ASCII_WORD:
                i += 1
                continue
            node, j, best = root, i, None
            while j < n:
                child = node.get(text[j])
                if child is None:
                    break
                node = child
                j += 1
                if _END in node:
                    end = _word_end(text, j)
                    if end:
                        best = (end, node[_END])
            if best is None:
                i += 1
                continue
            end, (role, value) = best
            hits.append(Hit(role, value, i, end))
            i = end
        return hits


def _word_end(text: str, j: int) -> int:
    """Where a phrase ending before `j` ends if it ends on a word boundary (plural absorbed); 0 if it does not."""
    if text[j - 1] not in _ASCII_WORD or j == len(text) or text[j] not in _ASCII_WORD:
        return j
    for suffix in ("s", "es"):
        k = j + len(suffix)
        if text.startswith(suffix, j) and (k == len(text) or text[k] not in _ASCII_WORD):
            return k
    return 0


@dataclass(frozen=True)
class Taxonomy:
    """Concepts with their parents, topics and order; reduces a set of concepts to the specific ones."""

    parents: dict[str, str]
    generic: frozenset[str]
    parent_when: dict[str, frozenset[str]]  # concept: the intents under which it is its parent
    topic_of: dict[str, Topic]
    order: dict[str, int]
    kinds: dict[str, str] = field(default_factory=dict)  # concept: the kind it was given (see `kind_of`)

    @classmethod
    def of(cls, topics: tuple[Topic, ...]) -> Taxonomy:
        concepts: list[tuple[Topic, Concept]] = [(t, c) for t in topics for c in t.concepts]
        return cls({c.id: c.parent for _, c in concepts if c.parent},
                   frozenset(c.id for _, c in concepts if c.generic),
                   {c.id: frozenset(c.parent_when) for _, c in concepts if c.parent_when},
                   {c.id: t for t, c in reversed(concepts)},
                   {c.id: n for n, (_, c) in reversed(list(enumerate(concepts)))},
                   {c.id: c.kind for _, c in concepts if c.kind})

    def kind_of(self, concept: str) -> str:
        """The kind of a concept: its own, or its nearest ancestor's ('' when none has one)."""
        return next((self.kinds[c] for c in (concept, *self.ancestors(concept)) if c in self.kinds), "")

    def ancestors(self, concept: str) -> list[str]:
        out: list[str] = []
        parent = self.parents.get(concept, "")
        while parent and parent not in out and parent != concept:
            out.append(parent)
            parent = self.parents.get(parent, "")
        return out

    def specific(self, concepts: set[str], keep_parents: bool = False) -> frozenset[str]:
        """Drop every concept a child in the set implies, and generic ones when anything specific is named; with
        `keep_parents` (a comparison), a parent stays when only one of its children is named ('LoRA vs fine-tuning'),
        not when it frames two of them ('MLM and CLM as pretraining objectives')."""
        lines = [self.ancestors(c) for c in concepts]
        implied = {a for line in lines for a in line}
        if keep_parents:
            implied = {a for a in implied if sum(a in line for line in lines) > 1}
        left = {c for c in concepts if c not in implied}
        named = {c for c in left if c not in self.generic}
        return frozenset(named or left)

    def as_asked(self, concepts: frozenset[str], intents: frozenset[str]) -> frozenset[str]:
        """Concepts that are their parent under these intents replaced by it ('how are attention scores computed'
        asks how attention is computed)."""
        if not any(c in self.parent_when for c in concepts):
            return concepts
        return self.specific({self.parents[c] if intents and intents <= self.parent_when.get(c, frozenset()) else c
                              for c in concepts})

    def siblings(self, concepts: frozenset[str], named: set[str]) -> bool:
        """Two or more specific concepts of one parent (alternatives: L1 and L2 regularization, MQA and GQA), the
        parent itself not named (then they are examples of it: 'normalization (batchnorm/layernorm)')."""
        parents = {self.parents.get(c, "") for c in concepts}
        return len(concepts) > 1 and len(parents) == 1 and "" not in parents and not parents & named

    def ordered(self, concepts: set[str] | frozenset[str]) -> list[str]:
        return sorted(concepts, key=lambda c: (self.order.get(c, len(self.order)), c))


@dataclass(frozen=True)
class Lexicon:
    """The trie and the taxonomy built from the dedup rules."""

    trie: Trie
    taxonomy: Taxonomy
    leading_filler: tuple[str, ...]
    intent_levels: dict[str, int]
    keeps_parents: frozenset[str]  # intents under which a concept does not absorb its parent (comparisons)
    open_intents: dict[str, int]  # open requests ('explain X'): the highest intent level each agrees with
    means: dict[str, frozenset[str]]  # an intent that stands for others ('优缺点' = advantages + disadvantages)
    combos: tuple[tuple[frozenset[str], str], ...]  # intents asked together that mean another
    same_as: dict[str, str]  # an intent asking what another asks ('why X' of a technique is what X is for)
    siblings_ask: str  # the intent of a question naming alternatives together ('explain L1 and L2' compares)
    siblings_from: frozenset[str]  # ...when it asks one of these
    shared: frozenset[str] = frozenset()  # intents one shared ask of which makes two questions one card
    lead_in: frozenset[str] = frozenset()  # intents whose clause, ending in a comma, leads into the next
    examples: tuple[str, ...] = ()  # example markers, normalized
    phases: frozenset[str] = frozenset()  # settings that exclude each other (training, inference ...)
    open_covers: dict[str, frozenset[str]] = field(default_factory=dict)  # intents an open request covers by name
    in_comparison: dict[str, str] = field(default_factory=dict)  # what an intent asks beside a comparison
    negation: frozenset[str] = frozenset()  # leftover words that negate a question ('不', 'not')
    directions: Trie | None = None  # words saying which way a quantity goes, outside concept names
    opposites: tuple[tuple[str, str], ...] = ()  # leftover words of opposite sense
    relative: frozenset[str] = frozenset()  # directions told from a setting's moment ('之前', '之后')


def _direction_trie(rules: DedupRules) -> Trie | None:
    if not rules.directions:
        return None
    trie = Trie()
    for name, words in rules.directions:
        for word in words:
            trie.add(word, Role.DIRECTION, name)
    return trie


def concept_trie(topics: tuple[Topic, ...]) -> Trie:
    trie = Trie()
    for topic in topics:
        for concept in topic.concepts:
            for alias in concept.aliases:
                trie.add(alias, Role.CONCEPT, concept.id)
    return trie


_LEXICONS: dict[int, tuple[DedupRules, Lexicon]] = {}
_TAXONOMIES: dict[int, tuple[tuple[Topic, ...], Taxonomy, Trie]] = {}


def lexicon(rules: DedupRules) -> Lexicon:
    """The lexicon of these rules, built once per rules object."""
    cached = _LEXICONS.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    trie = concept_trie(rules.taxonomy)
    for intent in rules.intents:
        for word in intent.words:
            trie.add(word, Role.INTENT, intent.name)
    for word in rules.scope:
        trie.add(word, Role.SCOPE, word)
    for word in rules.prefer:
        trie.add(word, Role.PREFER, word)
    for word in rules.filler:
        if not word.startswith("^"):
            trie.add(word, Role.FILLER, word)
    built = Lexicon(trie, Taxonomy.of(rules.taxonomy),
                    tuple(sorted((normalize(w[1:]) for w in rules.filler if w.startswith("^")), key=len, reverse=True)),
                    {i.name: i.level for i in rules.intents},
                    frozenset(i.name for i in rules.intents if i.keep_parents),
                    {i.name: i.open_up_to for i in rules.intents if i.open_up_to >= 0},
                    {i.name: frozenset(i.means) for i in rules.intents if i.means},
                    tuple((frozenset(c.all), c.gives) for c in rules.combine),
                    {i.name: i.same_as for i in rules.intents if i.same_as},
                    rules.siblings.ask, frozenset(rules.siblings.asked),
                    frozenset(i.name for i in rules.intents if i.shared),
                    frozenset(i.name for i in rules.intents if i.lead_in),
                    tuple(normalize(w) for w in rules.examples), frozenset(rules.phases),
                    {i.name: frozenset(i.covers) for i in rules.intents if i.covers},
                    {i.name: i.in_comparison for i in rules.intents if i.in_comparison},
                    frozenset(rules.negation), _direction_trie(rules), rules.opposites,
                    frozenset(rules.relative))
    _LEXICONS[id(rules)] = (rules, built)
    return built


def concepts_only(topics: tuple[Topic, ...]) -> tuple[Taxonomy, Trie]:
    """Taxonomy and alias trie for tagging (no intents or filler), built once per topics tuple."""
    cached = _TAXONOMIES.get(id(topics))
    if cached is not None and cached[0] is topics:
        return cached[1], cached[2]
    built = (Taxonomy.of(topics), concept_trie(topics))
    _TAXONOMIES[id(topics)] = (topics, *built)
    return built
