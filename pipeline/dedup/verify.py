"""Verification: two candidate questions are one card only when concepts, intents, numbers and leftover agree."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, KeysView
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from pipeline.config import DedupRules
from pipeline.dedup.intent import agree, canonical
from pipeline.dedup.keys import Ask, Key
from pipeline.dedup.taxonomy import Lexicon, Taxonomy, lexicon

_WORD = re.compile(r"[a-z0-9+#.]+|[\u3400-\u9fff]")


class MergeRule(StrEnum):
    """Why a member joined its card (written to merged.yaml as `why`)."""

    FIRST = "first"  # the card's first member
    EXACT = "exact"  # the same normalized text
    SAME_CONCEPTS = "same-concepts"  # same concepts, intents and numbers; nothing else said on either side
    SIMILAR = "similar"  # same concepts, intents and numbers; the leftover words alike (one language)
    TRANSLATION = "translation"  # other language: same concepts, intents and numbers, nothing else said
    CONTAINED = "contained"  # same numbers; every ask of one (concepts and intents) is an ask of the other
    SHARED = "shared-comparison"  # same numbers; both compare the same alternatives, whatever else each asks
    BY_PERSON = "merged by overrides"  # the person merged the cards (`merge:`)
    KEPT_APART = "kept apart by overrides"  # the person split it off (`keep_apart:`)


class WhyNot(StrEnum):
    """Why two alike questions stay apart."""

    CONCEPTS = "different concepts"
    INTENT = "different intent"
    NUMBERS = "different numbers"
    WORDING = "below threshold"  # same concepts, intents and numbers; the other words differ
    LANGUAGE = "other language, more than concepts and intent"
    SETTING = "asked in different settings"  # 'during training' vs 'during inference'
    OPPOSITE = "words of opposite sense"  # 'the decoder's input' vs 'the decoder's output'
    NEGATION = "one asks the negation of the other"  # '哪些任务适合用RAG' vs '哪些任务不适合用RAG'
    DIRECTION = "opposite directions"  # 'batch size过大会怎样' vs 'batch size过小会怎样'


@dataclass(frozen=True)
class Verdict:
    """The decision on one pair."""

    rule: MergeRule | None
    score: int
    why_not: WhyNot | None = None

    @property
    def same(self) -> bool:
        return self.rule is not None


def dice(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """0-100: Dice overlap of two word lists (100 when both are empty)."""
    if not a and not b:
        return 100
    common = sum((Counter(a) & Counter(b)).values())
    return 200 * common // (len(a) + len(b))


def leftover_similarity(a: Key, b: Key) -> int:
    """0-100: Dice overlap of the leftover words (100 when both are empty)."""
    return dice(a.leftover, b.leftover)


def _asks(key: Key) -> tuple[Ask, ...]:
    return (Ask(key.concepts, key.intents, key.leftover, key.ask_block), *key.more)


def one_fewer(small: frozenset[str], big: frozenset[str], taxonomy: Taxonomy | None = None) -> bool:
    """Comparing these alternatives is part of comparing those: the same, or one fewer (comparing LR and SVM is
    part of comparing SVM, LR and trees). With a taxonomy, the one more must be an alternative of the same family
    as another: a subject or a problem named beside two alternatives compared for something else is no third one."""
    if small == big:
        return len(small) > 1
    extra = big - small
    if len(small) < 2 or not small < big or len(extra) != 1:
        return False
    if taxonomy is None:
        return True
    more = next(iter(extra))
    kind = taxonomy.kind_of(more)
    if kind and all(taxonomy.kind_of(c) == kind for c in small):
        return True  # things of one kind ('model': ELMo beside GPT and BERT) are alternatives
    family = set(taxonomy.ancestors(more)) - taxonomy.generic
    if family:
        return any(family & set(taxonomy.ancestors(c)) for c in small)
    topic = taxonomy.topic_of.get(more)  # a concept of no parent: a peer of alternatives of no parent, one topic
    return topic is not None and all(taxonomy.topic_of.get(c) is topic and not taxonomy.ancestors(c) for c in small)


def _rest_agrees(x: frozenset[str], y: frozenset[str], lex: Lexicon) -> bool:
    """What two comparisons ask beside comparing agrees: the same, nothing on one side, or one asking part of
    what the other asks (pros and cons cover the advantages); 'why B rather than A' asks B's advantages."""
    rest_x, rest_y = ({lex.in_comparison.get(i, i) for i in r - lex.shared} for r in (x, y))
    return not rest_x or not rest_y or rest_x <= rest_y or rest_y <= rest_x


def shared_ask(a: Key, b: Key, rules: DedupRules) -> int:
    """Whether both questions compare the same alternatives (an intent marked `shared`) in one of their asks, and
    what they ask beside comparing agrees: 'PPO和DPO相比有什么优缺点' and '为什么从PPO转向DPO' are one card, the
    advantages and the drawbacks of RMSNorm against LayerNorm are two. The wording left must be alike (one
    language) or nothing on both sides. The best score (1-100), or 0."""
    lex = lexicon(rules)
    if not lex.shared or a.numbers != b.numbers:
        return 0
    return max((_wording(x, y, a, b, rules) for x in _asks(a) for y in _asks(b)
                if x.intents & y.intents & lex.shared and _rest_agrees(x.intents, y.intents, lex)
                and _either_fewer(x.concepts, y.concepts, lex.taxonomy)), default=0)


def _either_fewer(x: frozenset[str], y: frozenset[str], taxonomy: Taxonomy) -> bool:
    """`one_fewer` whichever of the two names fewer alternatives."""
    small, big = (x, y) if len(x) <= len(y) else (y, x)
    return one_fewer(small, big, taxonomy)


def opposed(x: tuple[str, ...], y: tuple[str, ...], lex: Lexicon) -> WhyNot | None:
    """Why two leftovers, however alike, ask opposite things: one negates and the other not ('哪些任务不适合用RAG' /
    '哪些任务适合用RAG'), or one says a word the other says the opposite of ('每一步的输入' / '每一步的输出')."""
    if lex.negation.isdisjoint(x) != lex.negation.isdisjoint(y):
        return WhyNot.NEGATION
    if any((p in x and q in y and q not in x and p not in y) or (q in x and p in y and p not in x and q not in y)
           for p, q in lex.opposites):
        return WhyNot.OPPOSITE
    return None


def _wording(x: Ask, y: Ask, a: Key, b: Key, rules: DedupRules) -> int:
    """How alike two matched asks read (1-100), or 0: nothing else said on both sides, or (one language) alike
    leftover words that ask nothing opposite (`opposed`)."""
    if a.lang != b.lang or not x.leftover or not y.leftover:
        return 100 if not x.leftover and not y.leftover else 0
    score = dice(x.leftover, y.leftover)
    return score if score >= rules.threshold and opposed(x.leftover, y.leftover, lexicon(rules)) is None else 0


def _alike(x: Ask, y: Ask, a: Key, b: Key, rules: DedupRules) -> int:
    """How alike two asks are (1-100), or 0: the same concepts (or, for a comparison, one fewer alternative of the
    same family: both ask nothing but the comparison; a subject named beside the alternatives is no third one) and
    the very same intents, in alike words (one language) or with nothing else said (across languages)."""
    lex = lexicon(rules)
    if canonical(x.intents, lex.same_as) != canonical(y.intents, lex.same_as) or not x.concepts:
        return 0
    if x.concepts != y.concepts and not (x.intents <= lex.keeps_parents
                                         and one_fewer(x.concepts, y.concepts, lex.taxonomy)):
        return 0
    return _wording(x, y, a, b, rules)


def contained(a: Key, b: Key, rules: DedupRules) -> int:
    """Whether every ask of one question (its main ask and its later clauses') is an ask of the other (an open
    request in a later clause absorbs nothing): '防止过拟合的手段' is asked by '为什么会产生过拟合,有哪些方法可以预防
    过拟合?'. The score of the least alike ask matched (1-100), or 0."""
    asks_a, asks_b = _asks(a), _asks(b)
    return max((min(max(_alike(x, y, a, b, rules) for y in big) for x in small)
                for small, big in ((asks_a, asks_b), (asks_b, asks_a)) if len(small) <= len(big)), default=0)


def overlap(a: Key, b: Key, rules: DedupRules) -> bool:
    """Whether two questions that each ask several things share one of those asks: they may stand on one card that a
    question asking one thing joined (a question asking one thing must still agree with each of them)."""
    return bool(a.more) and bool(b.more) and a.numbers == b.numbers \
        and any(_alike(x, y, a, b, rules) for x in _asks(a) for y in _asks(b))


def verify(a: Key, b: Key, rules: DedupRules) -> Verdict:
    if a.text == b.text and a.lang == b.lang and a.text:
        return Verdict(MergeRule.EXACT, 100)
    score = leftover_similarity(a, b)
    lex = lexicon(rules)
    if directions_clash(a, b, lex.relative):
        return Verdict(None, score, WhyNot.DIRECTION)
    if settings_clash(a, b, lex.taxonomy.ancestors, lex.phases):
        return Verdict(None, score, WhyNot.SETTING)
    if reversed_choice(a, b):
        return Verdict(None, score, WhyNot.INTENT)
    same_concepts = a.concepts == b.concepts
    asked_a, asked_b = canonical(a.intents, lex.same_as), canonical(b.intents, lex.same_as)
    if not same_concepts or not agree(asked_a, asked_b, lex.intent_levels, lex.open_intents, lex.open_covers):
        within = contained(a, b, rules) if a.numbers == b.numbers else 0
        if within:
            return Verdict(MergeRule.CONTAINED, within)
        shared = shared_ask(a, b, rules)
        if shared:
            return Verdict(MergeRule.SHARED, shared)
        return Verdict(None, score, WhyNot.INTENT if same_concepts else WhyNot.CONCEPTS)
    if relation_unasked(a, b, lex.open_intents.keys(), lex.intent_levels):
        return Verdict(None, score, WhyNot.INTENT)
    if a.numbers != b.numbers:
        return Verdict(None, score, WhyNot.NUMBERS)
    if a.lang != b.lang:
        both_bare = not a.leftover and not b.leftover and bool(a.concepts)
        return Verdict(MergeRule.TRANSLATION, 100) if both_bare else Verdict(None, score, WhyNot.LANGUAGE)
    if not a.leftover and not b.leftover and a.concepts:
        return Verdict(MergeRule.SAME_CONCEPTS, 100)
    needed = rules.threshold if a.concepts else max(rules.threshold, 90)
    if score >= needed and a.leftover and b.leftover:
        if (why := opposed(a.leftover, b.leftover, lex)) is not None:
            return Verdict(None, score, why)
        return Verdict(MergeRule.SIMILAR, score)
    return Verdict(None, score, WhyNot.WORDING)


def reversed_choice(a: Key, b: Key) -> bool:
    """Both choose between concepts, one choosing what the other passes over: 'why A rather than B' and 'why B rather
    than A' ask opposite things."""
    return len(a.prefers) == len(b.prefers) == 2 and bool(a.prefers[0] & b.prefers[1] or a.prefers[1] & b.prefers[0])


def relation_unasked(a: Key, b: Key, opens: KeysView[str], levels: dict[str, int]) -> bool:
    """An open request ('简单介绍下GPT') does not cover a question beyond a definition about a concept and a parent it
    names on purpose ('Why is GPT decoder-only?'), unless it names that parent too ('什么是BPE分词' is BPE's
    definition: the request covers it)."""
    a_open, b_open = (bool(k.intents) and k.intents <= opens for k in (a, b))
    if a_open == b_open:
        return False
    closed, request = (b, a) if a_open else (a, b)
    if max((levels.get(i, 99) for i in closed.intents), default=0) <= min(levels.values(), default=0) + 1:
        return False  # a definition (the lowest level an ask above an open request has)
    return not closed.parents_named <= request.concepts | request.parents_named


def directions_clash(a: Key, b: Key, relative: frozenset[str]) -> bool:
    """Both say which way something goes, and not the same ways ('batch size过大' / '过小'). Ways told from a moment
    ('之前', '之后') clash only between questions set at the same moment: 'after the QK product' is 'before softmax'."""
    if not a.directions or not b.directions or a.directions == b.directions:
        return False
    return not (a.directions ^ b.directions <= relative and a.setting != b.setting)


def settings_clash(a: Key, b: Key, ancestors: Callable[[str], list[str]], phases: frozenset[str]) -> bool:
    """Both say in which phase they ask (`phases`: training, inference ...), phases the other does not name: 'Dropout
    during training' and 'Dropout during inference' are two questions, though a setting's words count for nothing
    else. A phase the question's own subject implies ('KV cache at inference') says nothing new; a setting that
    is no phase ('after the QK product', 'before softmax') never keeps two questions apart."""
    def own(key: Key) -> frozenset[str]:
        implied = key.concepts | {p for c in key.concepts for p in ancestors(c)}
        return frozenset(p for s in key.setting - implied for p in [s, *ancestors(s)] if p in phases) - implied

    set_a, set_b = own(a), own(b)
    if not set_a or not set_b or set_a == set_b:
        return False
    return not (set_a <= set_b | b.concepts or set_b <= set_a | a.concepts)


def same_page_ok(a: Key, b: Key) -> bool:
    """Two questions of one page are one card: the same words in any order ('如何使用LangChain', 'LangChain 如何使用'),
    the same asks of the same concepts, or each one whole ask with the very same intent."""
    if sorted(_WORD.findall(a.text)) == sorted(_WORD.findall(b.text)):
        return True
    if (a.concepts, a.intents, a.leftover, a.more) == (b.concepts, b.intents, b.leftover, b.more):
        return True  # the very same asks in other names of the same concepts ('旋转位置编码RoPE', 'RoPE')
    return not a.partial and not b.partial and a.intents == b.intents


def similarity(a: Key, b: Key) -> int:
    """0-100: how alike two reduced questions read (whole text, order of words ignored)."""
    if not a.text or not b.text:
        return 0
    if a.text == b.text:
        return 100
    return int(fuzz.token_sort_ratio(a.text, b.text) if a.lang == b.lang == "en" else fuzz.ratio(a.text, b.text))


def same_question(a: Key, b: Key, rules: DedupRules) -> tuple[bool, int, str]:
    """(merge?, score, reason): the verdict in the shape the ledger reads."""
    verdict = verify(a, b, rules)
    if verdict.rule is not None:
        return True, verdict.score, str(verdict.rule)
    return False, similarity(a, b), str(verdict.why_not)
