"""Find the same question across and within sources; merge only when intent and key terms agree."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.config import DedupRules
from pipeline.models import Cluster, Member, QAItem, SourceItems

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_LATIN = re.compile(r"[a-z][a-z0-9+#.-]*[a-z0-9+#]|[a-z]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CJK = re.compile(r"[\u3400-\u9fff]")
_STOP = {"and", "or", "vs", "versus", "with", "for", "to", "on", "by", "from", "it", "its", "they", "their",
         "them", "this", "that", "these", "those", "be", "how", "why", "which", "when", "where", "who",
         "can", "should", "would", "could", "main", "between", "differ", "difference", "differences"}


@dataclass(frozen=True)
class Key:
    """A question reduced for comparison."""

    text: str
    terms: frozenset[str]
    numbers: frozenset[str]
    intent: str
    lang: str


@functools.lru_cache(maxsize=8)
def _filler_patterns(filler: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(leading-only, CJK, English-word) filler as three compiled alternations, longest phrase first."""
    ordered = sorted(filler, key=len, reverse=True)

    def alternation(phrases: list[str], wrap: str) -> re.Pattern[str]:
        body = "|".join(re.escape(p) for p in phrases) or r"(?!x)x"
        return re.compile(wrap.format(body))

    return (alternation([p[1:] for p in ordered if p.startswith("^")], "^(?:{})"),
            alternation([p for p in ordered if not p.startswith("^") and _CJK.search(p)], "(?:{})"),
            alternation([p for p in ordered if not p.startswith("^") and not _CJK.search(p)], r"\b(?:{})\b"))


def _remove_filler(text: str, filler: tuple[str, ...]) -> str:
    leading, cjk, words = _filler_patterns(filler)
    text = leading.sub("", text, count=1)
    return words.sub(" ", cjk.sub("", text))


def intent_of(question: str, rules: DedupRules) -> str:
    lowered = question.lower()
    for intent in rules.intents:
        for word in intent.words:
            if _CJK.search(word) and word in lowered:
                return intent.name
            if not _CJK.search(word) and re.search(rf"\b{re.escape(word)}\b", lowered):
                return intent.name
    return "what"


_LEADING_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\s*[、.．:：)]\s*(?!\d)")


def make_key(question: str, lang: str, rules: DedupRules) -> Key:
    text = _LEADING_NUMBER.sub("", unicodedata.normalize("NFKC", question).lower())
    text = re.sub(r"[(（][^)）]{0,40}[)）]", lambda m: m.group(0) if _CJK.search(m.group(0)) else " ", text) \
        if lang == "zh" else text
    terms = frozenset(t for t in _LATIN.findall(text) if t not in _STOP and t not in rules.filler)
    numbers = frozenset(_NUMBER.findall(text))
    stripped = _remove_filler(text, rules.filler)
    compact = _PUNCT.sub(" ", stripped).strip()
    if lang == "zh":
        compact = re.sub(r"\s+", "", compact)
    return Key(compact, terms, numbers, intent_of(question, rules), lang)


def similarity(a: Key, b: Key) -> int:
    """0-100: how alike two reduced questions are (order of words ignored)."""
    if not a.text or not b.text:
        return 0
    if a.text == b.text:
        return 100
    if a.lang == "zh" and b.lang == "zh":
        tokens_a = " ".join(sorted(_tokens(a.text)))
        tokens_b = " ".join(sorted(_tokens(b.text)))
        return int(max(fuzz.ratio(a.text, b.text), fuzz.ratio(tokens_a, tokens_b)))
    return int(fuzz.token_sort_ratio(a.text, b.text))


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+#.-]+|[\u3400-\u9fff]", text)


def same_question(a: Key, b: Key, rules: DedupRules) -> tuple[bool, int, str]:
    """(merge?, score, reason). Different intents, key terms or numbers never merge."""
    score = similarity(a, b)
    if a.lang != b.lang:
        return False, score, "different language"
    if a.intent != b.intent:
        return False, score, f"different intent ({a.intent} vs {b.intent})"
    if a.terms != b.terms:
        return False, score, "different key terms"
    if a.numbers != b.numbers:
        return False, score, "different numbers"
    if score >= rules.threshold:
        return True, score, "exact" if score == 100 else "similar"
    return False, score, "below threshold"


@dataclass(frozen=True)
class Related:
    """Two questions alike enough to show a reviewer, not merged."""

    a: str
    b: str
    score: int
    why_not: str


def _item_keys(item: QAItem, rules: DedupRules) -> list[Key]:
    keys = [make_key(item.question, item.lang, rules)]
    if item.alt_question:
        keys.append(make_key(item.alt_question, item.alt_lang, rules))
    return keys


def cluster(sources: list[SourceItems], rules: DedupRules) -> tuple[list[Cluster], list[Related]]:
    """Group items that ask the same question. Each item joins the first cluster its representative matches."""
    reps: list[tuple[list[Key], list[Member]]] = []
    related: list[Related] = []
    exact: dict[tuple[str, str], int] = {}  # reduced text -> cluster: identical questions skip the fuzzy scan
    for source in sources:
        for item in source.items:
            keys = _item_keys(item, rules)
            best: tuple[int, int, str] | None = None
            hit = next((exact[(k.lang, k.text)] for k in keys if (k.lang, k.text) in exact), None)
            if hit is not None:
                ok, score, reason = next(((o, s, r) for o, s, r in (same_question(k, rk, rules) for k in keys
                                                                       for rk in reps[hit][0]) if o),
                                         (False, 0, ""))
                if ok:
                    best = (hit, score, reason)
            candidates = enumerate(reps) if best is None else iter(())
            for index, (rep_keys, members) in candidates:
                for ka in keys:
                    for kb in rep_keys:
                        ok, score, reason = same_question(ka, kb, rules)
                        if ok and (best is None or score > best[1]):
                            best = (index, score, reason)
                        elif not ok and score >= rules.related_threshold and ka.lang == kb.lang:
                            rep = members[0]
                            related.append(Related(f"{rep.source}/{rep.item_id}", f"{source.slug}/{item.id}",
                                                   score, reason))
            if best is None:
                reps.append((keys, [Member(source.slug, item.id, "first", 100)]))
                for k in keys:
                    exact.setdefault((k.lang, k.text), len(reps) - 1)
            else:
                index, score, reason = best
                reps[index][1].append(Member(source.slug, item.id, reason, score))
    unique: dict[tuple[str, str], Related] = {}
    for rel in related:
        unique.setdefault((rel.a, rel.b), rel)
    return [Cluster(tuple(members)) for _, members in reps], list(unique.values())
