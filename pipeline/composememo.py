"""Composed cards remembered between builds (decks/.cache/composed.pickle): a card whose members, pages, primary and
overrides are what they were when it was composed is not composed again, nor its note's fields rendered again when
it is published under the same id; a file from other rules, code or settings, or one that does not read well, is
ignored."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.apkg import FIELDS
from pipeline.gcpause import paused_gc, settle
from pipeline.identity.claim import Group
from pipeline.identity.decide import Composed
from pipeline.identity.ledger import LedgerEntry
from pipeline.identity.primary import PrimaryReason
from pipeline.models import Card, CardContent
from pipeline.overrides import Overrides
from pipeline.snapshot import UNREADABLE
from pipeline.yamlio import atomic_write

SCHEMA = 1
_STRS = (str,) * len(FIELDS)
_REST = tuple(f.name for f in fields(Composed))[1:]  # what a composed card holds besides its group


def published(entry: LedgerEntry | None) -> str:
    """What composing reads of the ledger: the primary member (or the published question, for a migrated card)."""
    return "-" if entry is None else entry.primary or "?" + entry.content.question


def card_key(group: Group, overrides: Overrides, pages: Mapping[str, str]) -> str | None:
    """What composing reads for this card besides the ledger, as one string: its members, the fingerprint of each
    page they come from (the page's bytes and meta, the rules, the code) and the overrides of its card id. None when
    a member's page has no fingerprint (the card is then composed, never remembered)."""
    members = group.cluster.members
    try:
        prints = {pages[m.source]: None for m in members}
    except KeyError:
        return None
    parts = [f"{m.source}/{m.item_id}" for m in members]
    card_id = group.card_id or ""
    if card_id in overrides.primary or card_id in overrides.corrections:
        parts += ["", overrides.primary.get(card_id, ""), json.dumps(sorted(overrides.corrections.get(card_id, {})
                                                                              .items()))]
    return "\0".join([*parts, "", *prints])


# What the memo keeps of a card: (the ledger's primary when composed, the composed card without its group, the card id
# it was published under and its note's fields: "" and None until its fields are rendered).
Record = tuple[str, tuple[Any, ...], str, tuple[str, ...] | None]


@dataclass
class ComposeMemo:
    """The composed cards of the last build by key (read), and those of this build (kept for the next one)."""

    version: str
    known: dict[str, Record] = field(default_factory=dict)
    made: dict[str, Record] = field(default_factory=dict)
    changed: bool = False  # a card composed again, or remembered differently: the file must be written
    mine: dict[int, tuple[str, Composed]] = field(default_factory=dict)  # id(content) -> (key, the composed card)

    @classmethod
    def load(cls, path: Path, version: str) -> ComposeMemo:
        memo = cls(version)
        try:
            with path.open("rb") as kept, paused_gc():  # many objects, no garbage: collecting would only cost
                schema, saved_version, known = pickle.load(kept)
                settle()  # in a build: set aside before any collection walks it
        except UNREADABLE:
            return memo  # none yet, or damaged: every card is composed
        if schema == SCHEMA and saved_version == version and isinstance(known, dict):
            memo.known = known
        return memo

    def _kept(self, key: str, group: Group, entry: LedgerEntry | None, then: str) -> Composed | None:
        """The card as composed last time, if the ledger still leads composing to the same primary member."""
        record = self.known.get(key)
        if not (isinstance(record, tuple) and len(record) == 4 and isinstance(record[1], tuple)):
            return None
        was, rest, card_id, fields = record
        if not (len(rest) == len(_REST) and isinstance(rest[2], CardContent) and isinstance(rest[1], PrimaryReason)):
            return None
        if was == then:
            self.made[key] = record
            return Composed(group, *rest)
        # published since (or its primary moved): a member the ledger keeps stays primary unless chosen by the user
        if entry is not None and entry.primary == rest[0] and rest[1] is not PrimaryReason.USER:
            found = Composed(group, rest[0], PrimaryReason.KEPT, *rest[2:])
            self.made[key] = (then, (rest[0], PrimaryReason.KEPT, *rest[2:]), card_id, fields)
            self.changed = True
            return found
        return None

    def compose_all(self, groups: list[Group], entries: Mapping[str, LedgerEntry], overrides: Overrides,
                    pages: Mapping[str, str] | None,
                    make: Callable[[Group, LedgerEntry | None], Composed]) -> list[Composed]:
        """Each group's card: as composed last time when its key is known, else `make(group, entry)` (remembered
        under its key). `pages` None: no fingerprints, every card is made."""
        cards = []
        for group in groups:
            entry = entries.get(group.card_id or "")
            key = card_key(group, overrides, pages) if pages is not None else None
            then = published(entry)
            found = self._kept(key, group, entry, then) if key is not None else None
            if found is None:
                found = make(group, entry)
            if key is not None:
                if key not in self.made:  # not remembered as it was: remembered as it is now
                    self.made[key] = (then, tuple(getattr(found, name) for name in _REST), "", None)
                    self.changed = True
                self.mine[id(found.content)] = (key, found)
            cards.append(found)
        return cards

    def _record_of(self, card: Card) -> tuple[str, Record] | None:
        """The record of the composed card an emitted card shows exactly, with its key."""
        mine = self.mine.get(id(card.content))
        if mine is None or card.retired:
            return None
        key, composed = mine
        if composed.content is not card.content or composed.sources is not card.sources or \
                composed.review is not card.review_reasons:
            return None
        return key, self.made[key]

    def fields_all(self, cards: Sequence[Card], render: Callable[[Card], list[str]]) -> list[tuple[Card, list[str]]]:
        """Each card with its note's fields: as rendered last time when the card shows what it showed then under the
        same card id, else `render(card)` (remembered with its card)."""
        out = []
        for card in cards:
            found = self._record_of(card)
            fields = found[1][3] if found is not None and found[1][2] == card.card_id else None
            if isinstance(fields, tuple) and len(fields) == len(FIELDS) and all(map(isinstance, fields, _STRS)):
                out.append((card, list(fields)))
                continue
            rendered = render(card)
            if found is not None:
                key, (then, rest, _, _) = found
                self.made[key] = (then, rest, card.card_id, tuple(rendered))
                self.changed = True
            out.append((card, rendered))
        return out

    def save(self, path: Path) -> None:
        """Keep this build's cards for the next build (unwritten when they are what was read)."""
        if not self.changed and self.made.keys() == self.known.keys():
            return

        def write(tmp: Path) -> None:
            with tmp.open("wb") as out:
                pickle.dump((SCHEMA, self.version, self.made), out, pickle.HIGHEST_PROTOCOL)

        atomic_write(path, write)

