"""The primary member of a card: whose question and main answer the card shows; chosen once, then sticky."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from pipeline.identity.ledger import LedgerEntry
from pipeline.models import ItemFlag, QAItem

LINK_ONLY = ItemFlag.LINK_ONLY.value
DAMAGED = ItemFlag.DAMAGED.value


class PrimaryReason(StrEnum):
    """Why the primary member is the one it is."""

    FIRST = "first published"
    KEPT = "kept"
    EDITED = "its page reworded it"
    TAKEOVER = "the previous primary left every source"
    ANSWER_ARRIVED = "an answer arrived from another page"
    USER = "chosen in overrides"


def usable_answer(item: QAItem) -> bool:
    return item.answered and LINK_ONLY not in item.flags


def ranked(keys: Sequence[str], items: Mapping[str, QAItem]) -> list[str]:
    """Members best first: answered (not link-only) before unanswered, undamaged before damaged, longer answers
    first; ties keep the cluster's order."""
    return sorted(keys, key=lambda k: (not usable_answer(items[k]),
                                       any(f.startswith(DAMAGED) for f in items[k].flags),
                                       -len(items[k].answer or items[k].alt_answer)))


def choose_primary(keys: Sequence[str], items: Mapping[str, QAItem], entry: LedgerEntry | None,
                   override: str | None) -> tuple[str, PrimaryReason]:
    """The member a card shows. A published card keeps its primary while that member is still asked (and answered,
    when any member is); a reworded primary is followed on its own page; otherwise the best member takes over."""
    best = ranked(keys, items)
    if override and override in items and override in keys:
        return override, PrimaryReason.USER
    if entry is None:
        return best[0], PrimaryReason.FIRST
    any_answer = usable_answer(items[best[0]])

    def acceptable(key: str) -> bool:
        return usable_answer(items[key]) or not any_answer

    if entry.primary in keys:
        if acceptable(entry.primary):
            return entry.primary, PrimaryReason.KEPT
        return best[0], PrimaryReason.ANSWER_ARRIVED
    if not entry.primary:  # migrated from schema 1: the member asking the published question
        asked = [k for k in best if items[k].question == entry.content.question and acceptable(k)]
        if asked:
            return asked[0], PrimaryReason.KEPT
    page = entry.primary.split("/", 1)[0] if entry.primary else ""
    same_page = [k for k in best if page and k.split("/", 1)[0] == page and acceptable(k)]
    if same_page:
        return same_page[0], PrimaryReason.EDITED
    return best[0], PrimaryReason.TAKEOVER if entry.primary else PrimaryReason.KEPT
