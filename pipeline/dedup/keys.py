"""A question reduced for matching (concepts, intents, numbers, leftover text) and its blocking keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.config import DedupRules
from pipeline.dedup.intent import resolve
from pipeline.dedup.taxonomy import Role, lexicon, normalize

_LEADING_NUMBER = re.compile(r"^\s*(?:q\s*\d+\s*[:：.]|\d+(?:\.\d+)*\s*[、.．:：)]\s*(?!\d))\s*")
_TOKEN = re.compile(r"[a-z][a-z0-9+#]*|\d+(?:\.\d+)?|[\u3400-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_CLAUSE_END = re.compile(r"[?？;；,，。!！:：]|\s(?=and\s+(?:why|how|what|which|when|where|is|are|does|do|can)\b)")
_GLOSS = re.compile(r"(?:^|(?<=[\s\u3400-\u9fff\W]))[(（]([^()（）]{1,40})[)）]")  # '思维链(Chain-of-Thought)'


@dataclass(frozen=True)
class Key:
    """A question reduced for comparison."""

    text: str  # normalized, punctuation-free: equal texts are the same question
    concepts: frozenset[str]  # the specific concepts named (children absorb parents)
    intents: frozenset[str]
    numbers: frozenset[str]
    leftover: tuple[str, ...]  # words (CJK: characters) left after concepts, cues and filler, in order
    lang: str
    ask_block: str = ""  # the intents as blocked: every intent of an open request's level shares one block
    partial: bool = False  # a later clause elaborating the ask was left out ('什么是X,它为什么重要?')

    @property
    def signature(self) -> tuple[frozenset[str], str, frozenset[str]]:
        return self.concepts, self.ask_block, self.numbers

    @property
    def intent(self) -> str:
        return "+".join(sorted(self.intents))


def make_key(question: str, lang: str, rules: DedupRules) -> Key:
    lex = lexicon(rules)
    text = _LEADING_NUMBER.sub("", normalize(question))
    for phrase in lex.leading_filler:
        if text.startswith(phrase):
            text = text[len(phrase):]
            break
    # a parenthesised gloss names its concepts but is no part of the wording: '思维链(CoT)提示' is '思维链提示'
    concepts = {hit.value for gloss in _GLOSS.findall(text) for hit in lex.trie.scan(gloss) if hit.role is Role.CONCEPT}
    text = _GLOSS.sub(" ", text)
    clauses: list[tuple[list[str], list[str]]] = []  # per clause: intent cues, leftover text pieces
    hits, at, last = lex.trie.scan(text), 0, 0
    for bound in [m.end() for m in _CLAUSE_END.finditer(text)] + [len(text)]:
        cues: list[str] = []
        rest: list[str] = []
        while at < len(hits) and hits[at].start < bound:
            hit = hits[at]
            at += 1
            rest += [text[last:hit.start], " "]
            last = hit.end
            if hit.role is Role.CONCEPT:
                concepts.add(hit.value)
            elif hit.role is Role.INTENT:
                cues.append(hit.value)
        rest.append(text[last:bound])
        last = max(last, bound)
        clauses.append((cues, rest))
    # the first clause that names an intent is the question asked; later clauses elaborate it
    chosen = next((n for n, c in enumerate(clauses) if c[0]), None)
    cues, rest = clauses[chosen] if chosen is not None else ([], [piece for c in clauses for piece in c[1]])
    partial = chosen is not None and any(c[0] or _TOKEN.search("".join(c[1])) for c in clauses[chosen + 1:])
    tokens = _TOKEN.findall("".join(rest))
    numbers = frozenset(_NUMBER.findall(" ".join(piece for c in clauses for piece in c[1])))
    leftover = tuple(t for t in tokens if not _NUMBER.fullmatch(t))
    intents = resolve(cues, lex, bool(leftover))
    compact = _PUNCT.sub(" ", text).strip()
    if _CJK.search(compact):
        compact = re.sub(r"\s+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\s+", "", compact)
    keep_parents = bool(intents & lex.keeps_parents)  # 'LoRA vs fine-tuning' names both on purpose
    reach = max(lex.open_intents.values(), default=-1)  # asks an open request agrees with share its block
    within = all(i in lex.open_intents or lex.intent_levels.get(i, 99) <= reach for i in intents)
    ask_block = "open" if within else "+".join(sorted(intents))
    return Key(compact, lex.taxonomy.specific(concepts, keep_parents), intents, numbers, leftover, lang, ask_block,
               partial)


Block = tuple[object, ...]


def blocks(key: Key) -> Iterator[Block]:
    """Candidate keys: the exact text, and (concepts, intents, numbers) with the leftover or the leftover less one
    word, so two keys whose leftovers differ by one word (added, dropped or swapped) share a block."""
    yield ("text", key.lang, key.text)
    words = tuple(sorted(set(key.leftover)))
    yield ("sig", key.signature, words)
    for n in range(len(words)):
        yield ("sig", key.signature, words[:n] + words[n + 1:])


def concept_block(key: Key) -> Block | None:
    """Where near-misses are looked for: the same concepts, any intent."""
    return ("concepts", key.concepts) if key.concepts else None
