"""Verification: two candidate questions are one card only when concepts, intents, numbers and leftover agree."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from pipeline.config import DedupRules
from pipeline.dedup.intent import agree
from pipeline.dedup.keys import Key
from pipeline.dedup.taxonomy import lexicon

_WORD = re.compile(r"[a-z0-9+#.]+|[\u3400-\u9fff]")


class MergeRule(StrEnum):
    """Why a member joined its card (written to merged.yaml as `why`)."""

    FIRST = "first"  # the card's first member
    EXACT = "exact"  # the same normalized text
    SAME_CONCEPTS = "same-concepts"  # same concepts, intents and numbers; nothing else said on either side
    SIMILAR = "similar"  # same concepts, intents and numbers; the leftover words alike (one language)
    TRANSLATION = "translation"  # other language: same concepts, intents and numbers, nothing else said
    BY_PERSON = "merged by overrides"  # the person merged the cards (`merge:`)
    KEPT_APART = "kept apart by overrides"  # the person split it off (`keep_apart:`)


class WhyNot(StrEnum):
    """Why two alike questions stay apart."""

    CONCEPTS = "different concepts"
    INTENT = "different intent"
    NUMBERS = "different numbers"
    WORDING = "below threshold"  # same concepts, intents and numbers; the other words differ
    LANGUAGE = "other language, more than concepts and intent"


@dataclass(frozen=True)
class Verdict:
    """The decision on one pair."""

    rule: MergeRule | None
    score: int
    why_not: WhyNot | None = None

    @property
    def same(self) -> bool:
        return self.rule is not None


def leftover_similarity(a: Key, b: Key) -> int:
    """0-100: Dice overlap of the leftover words (100 when both are empty)."""
    if not a.leftover and not b.leftover:
        return 100
    common = sum((Counter(a.leftover) & Counter(b.leftover)).values())
    return 200 * common // (len(a.leftover) + len(b.leftover))


def verify(a: Key, b: Key, rules: DedupRules) -> Verdict:
    if a.text == b.text and a.lang == b.lang and a.text:
        return Verdict(MergeRule.EXACT, 100)
    score = leftover_similarity(a, b)
    if a.concepts != b.concepts:
        return Verdict(None, score, WhyNot.CONCEPTS)
    lex = lexicon(rules)
    if not agree(a.intents, b.intents, lex.intent_levels, lex.open_intents):
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
        return Verdict(MergeRule.SIMILAR, score)
    return Verdict(None, score, WhyNot.WORDING)


def same_page_ok(a: Key, b: Key) -> bool:
    """Two questions of one page are one card: the same words in any order ('如何使用LangChain', 'LangChain 如何使用'),
    or each one whole ask with the very same intent."""
    if sorted(_WORD.findall(a.text)) == sorted(_WORD.findall(b.text)):
        return True
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
