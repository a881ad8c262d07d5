"""`deckmill list` and `deckmill show`: the published cards (from the ledger), searchable by text, as lines."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.errors import DeckmillError
from pipeline.identity.ledger import LedgerEntry, load_ledger
from pipeline.overrides import load_overrides

SUMMARY = 160


class ListedStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    FORGOTTEN = "forgotten"  # never_emit in overrides: deleted in Anki


@dataclass(frozen=True)
class Listed:
    """One card as `list` and `show` see it."""

    entry: LedgerEntry
    status: ListedStatus


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cards(ledger: Path, overrides: Path, text: str = "") -> list[Listed]:
    """The cards of the last build whose id, question (either language) or answer contains `text`."""
    never = load_overrides(overrides).never_emit
    needle = text.casefold()
    out = []
    for card_id, entry in load_ledger(ledger).entries.items():
        c = entry.content
        haystack = "\n".join((card_id, c.question, c.alt_question, c.answer, c.alt_answer)).casefold()
        if needle and needle not in haystack:
            continue
        status = (ListedStatus.FORGOTTEN if card_id in never else
                  ListedStatus.RETIRED if entry.retired else ListedStatus.ACTIVE)
        out.append(Listed(entry, status))
    return out


def list_lines(listed: list[Listed]) -> list[str]:
    if not listed:
        return ["no card matches (cards appear here after `deckmill build`)"]
    return [f"{x.entry.card_id}  {x.status.value:<9}  {_one_line(x.entry.content.question, 70)}  [{x.entry.deck}]"
            for x in listed]


def show_lines(ledger: Path, overrides: Path, card_id: str) -> list[str]:
    """Everything about one card: question, answer summary, other language, sources, status, deck, tags."""
    found = [x for x in cards(ledger, overrides) if x.entry.card_id == card_id]
    if not found:
        raise DeckmillError(f"unknown card id {card_id} (`deckmill list TEXT` finds a card's id)")
    entry, status = found[0].entry, found[0].status
    c = entry.content
    lines = [f"{entry.card_id}  ({status.value}{': ' + entry.retired_because if entry.retired_because else ''})",
             f"question: {c.question}"]
    if c.alt_question:
        lines.append(f"question ({c.alt_lang}): {c.alt_question}")
    lines.append(f"answer: {_one_line(c.answer, SUMMARY) or '(none)'}")
    if c.alt_answer:
        lines.append(f"answer ({c.alt_lang}): {_one_line(c.alt_answer, SUMMARY)}")
    if c.other_answers:
        lines.append(f"other answers: {len(c.other_answers)}")
    lines.append(f"deck: {entry.deck}")
    lines.append(f"tags: {' '.join(entry.tags)}")
    lines.append("sources:")
    lines += [f"  {s.slug}: {s.title or s.filename}{' <' + s.url + '>' if s.url else ''}" for s in entry.sources]
    if not entry.sources:  # the ledger keeps full references only where it needs them: the members name the pages
        lines += [f"  {slug}" for slug in dict.fromkeys(m.split("/")[0] for m in entry.members)]
    lines.append(f"members: {', '.join(entry.members)}")
    return lines
