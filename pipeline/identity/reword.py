"""Does a question asked now reword (or re-clean) the question a ledger card was published with?"""

from __future__ import annotations

from rapidfuzz import fuzz

from pipeline.config import DedupRules
from pipeline.dedup import make_key, same_question, similarity
from pipeline.identity.claim import Reworded
from pipeline.identity.ledger import LedgerEntry


def rewording_matcher(rules: DedupRules) -> Reworded:
    """A matcher: same intent and key terms with similar text, or one question containing the other with the
    same answer (a page re-cleaned)."""

    def reworded(question: str, lang: str, answer: str, entry: LedgerEntry) -> int | None:
        key = make_key(question, lang, rules)
        old = make_key(entry.content.question, entry.content.lang, rules)
        same, score, reason = same_question(key, old, rules)
        if not same and reason == "below threshold":
            same = similarity(key, old) >= rules.related_threshold
        if not same and key.intent == old.intent and key.text and old.text:
            contained = key.text in old.text or old.text in key.text
            same = contained and bool(answer) and fuzz.partial_ratio(answer[:1000], entry.content.answer[:1000]) >= 80
        return score if same else None

    return reworded
