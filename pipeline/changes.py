"""What a build changes for the learner, card by card: the records of the change report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.models import CardContent, CardStatus

SNIPPET = 80


class StudiedField(StrEnum):
    """The parts of a note the learner studies (a change to any of them updates the note)."""

    QUESTION = "question"
    ANSWER = "main answer"
    OTHER_ANSWERS = "other answers"
    OTHER_LANGUAGE = "other language"


class RetireReason(StrEnum):
    """Why a card stopped being emitted (kept in the ledger as `retired_because`)."""

    GONE = "gone"
    MERGED = "merged"
    UNANSWERED = "unanswered"
    UNANSWERED_OFF = "unanswered-off"

    def sentence(self, into: str = "") -> str:
        return {RetireReason.GONE: "its question is no longer in any source",
                RetireReason.MERGED: f"merged into card {into}",
                RetireReason.UNANSWERED: "no source answers it any more",
                RetireReason.UNANSWERED_OFF: "unanswered, and include_unanswered is off"}[self]


class ReviveReason(StrEnum):
    """Why a retired (or never-emit) card is emitted again."""

    BACK = "back in a source"
    UNANSWERED_ON = "unanswered, and include_unanswered is on"
    UNSUPPRESSED = "no longer in never_emit: a re-import adds it again"


@dataclass(frozen=True)
class FieldChange:
    field: StudiedField
    before: str
    after: str


@dataclass(frozen=True)
class CardChange:
    """One card that is new, changed, revived or retired in this build, and why."""

    card_id: str
    status: CardStatus
    question: str
    fields: tuple[FieldChange, ...] = ()
    pages: tuple[str, ...] = ()  # the pages that caused it
    why: str = ""


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


def _count(n: int) -> str:
    return f"{n} other answer{'' if n == 1 else 's'}"


def field_changes(before: CardContent, after: CardContent) -> tuple[FieldChange, ...]:
    """The studied fields that differ, each with a short before/after."""
    pairs = (
        (StudiedField.QUESTION, before.question, after.question),
        (StudiedField.ANSWER, before.answer, after.answer),
        (StudiedField.OTHER_ANSWERS, "\n".join(before.other_answers), "\n".join(after.other_answers)),
        (StudiedField.OTHER_LANGUAGE, f"{before.alt_question}\n{before.alt_answer}".strip(),
         f"{after.alt_question}\n{after.alt_answer}".strip()),
    )
    out = []
    for name, old, new in pairs:
        if old != new:
            if name is StudiedField.OTHER_ANSWERS:
                added = [a for a in after.other_answers if a not in before.other_answers]
                old, new = _count(len(before.other_answers)), _count(len(after.other_answers))
                if added:
                    new += f", new: «{snippet(added[0])[:SNIPPET // 2]}…»"
                out.append(FieldChange(name, old, new))
                continue
            out.append(FieldChange(name, snippet(old), snippet(new)))
    return tuple(out)
