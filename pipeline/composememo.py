"""Composed cards remembered between builds (decks/.cache/composed.pickle): a card whose members, pages, primary and
overrides are what they were when it was composed is not composed again; a file from other rules, code or
settings, or one that does not read well, is ignored."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.gcpause import paused_gc, settle
from pipeline.identity.claim import Group
from pipeline.identity.decide import Composed
from pipeline.identity.ledger import LedgerEntry
from pipeline.identity.primary import PrimaryReason
from pipeline.models import CardContent
from pipeline.overrides import Overrides
from pipeline.yamlio import atomic_write

SCHEMA = 1
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


@dataclass
class ComposeMemo:
    """The composed cards of the last build by key (read), and those of this build (kept for the next one)."""

    version: str
    known: dict[str, tuple[str, tuple[Any, ...]]] = field(default_factory=dict)  # key -> (published, the card)
    made: dict[str, tuple[str, tuple[Any, ...]]] = field(default_factory=dict)
    changed: bool = False  # a card composed again, or remembered differently: the file must be written

    @classmethod
    def load(cls, path: Path, version: str) -> ComposeMemo:
        memo = cls(version)
        try:
            with path.open("rb") as kept, paused_gc():  # many objects, no garbage: collecting would only cost
                schema, saved_version, known = pickle.load(kept)
                settle()  # in a build: set aside before any collection walks it
        except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError,
                pickle.UnpicklingError):
            return memo  # none yet, or damaged: every card is composed
        if schema == SCHEMA and saved_version == version and isinstance(known, dict):
            memo.known = known
        return memo

    def _kept(self, key: str, group: Group, entry: LedgerEntry | None, then: str) -> Composed | None:
        """The card as composed last time, if the ledger still leads composing to the same primary member."""
        record = self.known.get(key)
        if not (isinstance(record, tuple) and len(record) == 2 and isinstance(record[1], tuple)):
            return None
        was, rest = record
        if not (len(rest) == len(_REST) and isinstance(rest[2], CardContent) and isinstance(rest[1], PrimaryReason)):
            return None
        if was == then:
            self.made[key] = record
            return Composed(group, *rest)
        # published since (or its primary moved): a member the ledger keeps stays primary unless chosen by the user
        if entry is not None and entry.primary == rest[0] and rest[1] is not PrimaryReason.USER:
            return Composed(group, rest[0], PrimaryReason.KEPT, *rest[2:])
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
            if key is not None and key not in self.made:  # not remembered as it was: remembered as it is now
                self.made[key] = (then, tuple(getattr(found, name) for name in _REST))
                self.changed = True
            cards.append(found)
        return cards

    def save(self, path: Path) -> None:
        """Keep this build's cards for the next build (unwritten when they are what was read)."""
        if not self.changed and self.made.keys() == self.known.keys():
            return

        def write(tmp: Path) -> None:
            with tmp.open("wb") as out:
                pickle.dump((SCHEMA, self.version, self.made), out, pickle.HIGHEST_PROTOCOL)

        atomic_write(path, write)

