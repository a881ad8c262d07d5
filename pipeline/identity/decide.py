"""What each card's note does in this build (pure): new, changed, unchanged, revived, retired; and the new ledger.

A note's `mod` moves only when what the learner studies changed (or it retires or revives), and then always
strictly past the `mod` last published for it, even for two builds within one second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import genanki

from pipeline.changes import CardChange, RetireReason, ReviveReason, field_changes
from pipeline.identity.claim import Group
from pipeline.identity.ledger import CardState, Ledger, LedgerEntry
from pipeline.identity.primary import PrimaryReason
from pipeline.models import Card, CardContent, CardStatus, SourceRef

RETIRED_TAG = "retired"
NEEDS_ANSWER = "needs-answer"
TRANSIENT_TAGS = (NEEDS_ANSWER,)  # tags that make no sense on a retired card


@dataclass(frozen=True)
class Composed:
    """One card this build would publish: its group, primary member, content, tags and deck."""

    group: Group
    primary: str
    primary_reason: PrimaryReason
    content: CardContent
    provenance_hash: str
    sources: tuple[SourceRef, ...]
    tags: tuple[str, ...]
    deck: str
    review: tuple[str, ...]
    emit: bool  # False: not carded in this build (no answer and include_unanswered off)
    unanswered: bool
    content_digest: str  # content_hash(content): what the learner studies


@dataclass(frozen=True)
class Outcome:
    """The cards to write (emitted and retired), the ledger to save, and the change report's records."""

    cards: tuple[Card, ...]
    ledger: Ledger
    changes: tuple[CardChange, ...]
    not_carded: tuple[tuple[str, str], ...]
    primary_moves: tuple[tuple[str, str, str], ...]  # (card id, new primary, why)
    deck_moves: tuple[tuple[str, str, str], ...]  # (card id, the deck it lives in, the deck it would get now)
    card_of: dict[str, str]  # cluster key -> the card emitted for it


def _new_id(taken: dict[str, LedgerEntry], key: str) -> str:
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    for size in range(10, 41):
        card_id = f"dm-{digest[:size]}"
        if card_id not in taken:
            return card_id
    raise RuntimeError("card id space exhausted")  # pragma: no cover - sha1 prefixes up to 40 chars


def _bump(entry: LedgerEntry | None, now: int) -> int:
    return now if entry is None else max(now, entry.mod + 1)


def _pages(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.split("/", 1)[0] for k in keys))


def _cause(entry: LedgerEntry, item: Composed) -> tuple[str, ...]:
    """The pages behind a change: members that came or went, else the primary's page."""
    members = [f"{m.source}/{m.item_id}" for m in item.group.cluster.members]
    moved = set(members) ^ set(entry.members)
    pages = _pages(sorted(moved, key=lambda k: (k not in members, k)))
    return pages or _pages([item.primary])


def _card(entry: LedgerEntry, item: Composed | None, status: CardStatus) -> Card:
    """The card to write; its members start with the primary."""
    if item is None:  # retired: as last published, plus the tag
        tags = tuple(dict.fromkeys([*(t for t in entry.tags if t not in TRANSIENT_TAGS), RETIRED_TAG]))
        return Card(entry.card_id, entry.guid, entry.note_id, entry.mod, entry.position, entry.content,
                    entry.sources, (), tags, entry.deck, status=status)
    members = sorted(item.group.cluster.members, key=lambda m: f"{m.source}/{m.item_id}" != item.primary)
    return Card(entry.card_id, entry.guid, entry.note_id, entry.mod, entry.position, item.content, item.sources,
                tuple(members), item.tags, entry.deck, item.review, status=status,
                carried_from=item.group.carried_from)


@dataclass
class _Build:
    """The decisions being made (mutable while `decide` runs; returned as an immutable Outcome)."""

    entries: dict[str, LedgerEntry]
    last_note_id: int
    next_position: int
    now: int
    cards: list[Card] = field(default_factory=list)
    changes: list[CardChange] = field(default_factory=list)
    not_carded: list[tuple[str, str]] = field(default_factory=list)
    primary_moves: list[tuple[str, str, str]] = field(default_factory=list)
    deck_moves: list[tuple[str, str, str]] = field(default_factory=list)
    holder: dict[str, str] = field(default_factory=dict)  # member key -> card emitted for it ("" none)
    card_of: dict[str, str] = field(default_factory=dict)  # cluster key -> card id
    handled: set[str] = field(default_factory=set)

    def publish_new(self, item: Composed, members: tuple[str, ...]) -> LedgerEntry:
        card_id = _new_id(self.entries, item.group.cluster.key)
        self.next_position += 1
        self.last_note_id = max(self.now * 1000, self.last_note_id + 1)
        self.changes.append(CardChange(card_id, CardStatus.NEW, item.content.question, pages=_pages([item.primary])))
        return LedgerEntry(card_id, genanki.guid_for(card_id), self.last_note_id, self.next_position, self.now,
                           item.content_digest, item.provenance_hash, members, item.primary, deck=item.deck,
                           tags=item.tags, content=item.content, sources=item.sources)

    def update(self, old: LedgerEntry, item: Composed, members: tuple[str, ...], refresh: bool) -> tuple[
            LedgerEntry, CardStatus]:
        digest = item.content_digest
        revived = old.state is not CardState.ACTIVE
        studied = old.content_hash != digest
        provenance = refresh and old.provenance_hash != item.provenance_hash
        # an unchanged card still records what it holds now (its studied fields are the same by the hash), so a
        # later retirement publishes complete fields, a first-release ledger's included
        entry = old
        if not (old.members == members and old.primary == item.primary and old.state is CardState.ACTIVE
                and old.retired_because is None and not old.merged_into and (old.deck or item.deck) == old.deck
                and old.tags == item.tags and old.content == item.content and old.sources == item.sources):
            entry = replace(old, members=members, primary=item.primary, state=CardState.ACTIVE, retired_because=None,
                            merged_into="", deck=old.deck or item.deck, tags=item.tags, content=item.content,
                            sources=item.sources)
        status = CardStatus.UNCHANGED
        if revived or studied or provenance:
            status = CardStatus.REVIVED if revived else CardStatus.CHANGED
            entry = replace(entry, mod=_bump(old, self.now), content_hash=digest, provenance_hash=item.provenance_hash)
            why = _revive_why(old, item) if revived else "" if studied else "sources refreshed"
            self.changes.append(CardChange(old.card_id, status, item.content.question,
                                           field_changes(old.content, item.content), _cause(old, item), why))
        if entry.deck != item.deck:
            self.deck_moves.append((old.card_id, entry.deck, item.deck))
        if item.primary != old.primary and old.primary and item.primary_reason is not PrimaryReason.KEPT:
            self.primary_moves.append((old.card_id, item.primary, item.primary_reason.value))
        return entry, status

    def retire(self, old: LedgerEntry, present: frozenset[str]) -> None:
        reason, into, pages = _retire_reason(old, present, self.holder)
        entry = replace(old, state=CardState.RETIRED, retired_because=reason, merged_into=into,
                        mod=_bump(old, self.now))
        self.entries[old.card_id] = entry
        self.cards.append(_card(entry, None, CardStatus.RETIRED))
        self.changes.append(CardChange(old.card_id, CardStatus.RETIRED, old.content.question, pages=pages,
                                       why=reason.sentence(into)))


def decide(ledger: Ledger, composed: list[Composed], present: frozenset[str], never_emit: frozenset[str],
           refresh: bool, now: int) -> Outcome:
    """Apply this build's cards to the ledger: one place where identities are issued and `mod` moves."""
    run = _Build(dict(ledger.entries), ledger.last_note_id,
                 max((e.position for e in ledger.entries.values()), default=0), now)
    for item in composed:
        members = tuple(f"{m.source}/{m.item_id}" for m in item.group.cluster.members)
        old = run.entries.get(item.group.card_id or "")
        if old is not None and old.card_id in never_emit:
            run.not_carded.append((old.card_id, "never_emit in overrides"))
            run.entries[old.card_id] = replace(old, state=CardState.NEVER_EMIT)
            run.handled.add(old.card_id)
            continue
        if not item.emit:
            if old is not None:
                run.holder.update(dict.fromkeys(members, ""))  # still asked, just not carded: retired below
            run.not_carded.append((item.group.cluster.key, "no answer in any source"))
            continue
        if old is None:
            entry, status = run.publish_new(item, members), CardStatus.NEW
        else:
            entry, status = run.update(old, item, members, refresh)
        run.entries[entry.card_id] = entry
        run.handled.add(entry.card_id)
        run.holder.update(dict.fromkeys(members, entry.card_id))
        run.card_of[item.group.cluster.key] = entry.card_id
        run.cards.append(_card(entry, item, status))
    for card_id, old in ledger.entries.items():
        if card_id in run.handled or card_id in never_emit:
            continue
        if old.retired:
            run.cards.append(_card(old, None, CardStatus.STILL_RETIRED))
        else:
            run.retire(old, present)
    return Outcome(tuple(run.cards), Ledger(run.entries, ledger.note_type_hash, ledger.note_type_mod,
                                            run.last_note_id),
                   tuple(run.changes), tuple(run.not_carded), tuple(run.primary_moves), tuple(run.deck_moves),
                   dict(run.card_of))


def _revive_why(old: LedgerEntry, item: Composed) -> str:
    if old.state is CardState.NEVER_EMIT:
        return ReviveReason.UNSUPPRESSED.value
    return (ReviveReason.UNANSWERED_ON if item.unanswered else ReviveReason.BACK).value


def _retire_reason(entry: LedgerEntry, present: frozenset[str],
                   holder: dict[str, str]) -> tuple[RetireReason, str, tuple[str, ...]]:
    asked = [k for k in entry.members if k in present]
    if not asked:
        return RetireReason.GONE, "", _pages(entry.members)
    into = next((holder[k] for k in asked if holder.get(k)), "")
    if into:
        return RetireReason.MERGED, into, _pages(asked)
    if NEEDS_ANSWER in entry.tags:
        return RetireReason.UNANSWERED_OFF, "", _pages(asked)
    gone = [k for k in entry.members if k not in present]
    return RetireReason.UNANSWERED, "", _pages(gone) or _pages(asked)
