"""What each card's note does in this build (pure): new, changed, unchanged, revived, retired; and the new ledger.

A note's `mod` moves only when what the learner studies changed (or it retires or revives), and then always
strictly past the `mod` last published for it, even for two builds within one second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

import genanki

from pipeline.changes import CardChange, RetireReason, field_changes
from pipeline.identity.claim import Group
from pipeline.identity.ledger import CardState, Ledger, LedgerEntry, content_hash
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


@dataclass(frozen=True)
class Outcome:
    """The cards to write (emitted and retired), the ledger to save, and the change report's records."""

    cards: tuple[Card, ...]
    ledger: Ledger
    changes: tuple[CardChange, ...]
    not_carded: tuple[tuple[str, str], ...]
    primary_moves: tuple[tuple[str, str, str], ...]  # (card id, new primary, why)
    deck_moves: tuple[tuple[str, str, str], ...]  # (card id, the deck it lives in, the deck it would get now)


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


def decide(ledger: Ledger, composed: list[Composed], present: frozenset[str], never_emit: frozenset[str],
           refresh: bool, now: int) -> Outcome:
    """Apply this build's cards to the ledger: one place where identities are issued and `mod` moves."""
    entries = dict(ledger.entries)
    last_note_id = ledger.last_note_id
    next_position = max((e.position for e in entries.values()), default=0)
    cards: list[Card] = []
    changes: list[CardChange] = []
    not_carded: list[tuple[str, str]] = []
    moves: list[tuple[str, str, str]] = []
    deck_moves: list[tuple[str, str, str]] = []
    holder: dict[str, str] = {}  # member key -> card id emitted for it in this build
    emitted: set[str] = set()
    for item in composed:
        members = tuple(f"{m.source}/{m.item_id}" for m in item.group.cluster.members)
        card_id = item.group.card_id
        old = entries.get(card_id) if card_id else None
        if card_id in never_emit:
            not_carded.append((card_id, "never_emit in overrides"))
            emitted.add(card_id)
            continue
        if not item.emit:
            if old is not None:
                holder.update(dict.fromkeys(members, ""))  # still asked, just not carded: retire below
            not_carded.append((item.group.cluster.key, "no answer in any source"))
            continue
        digest = content_hash(item.content)
        if old is None:
            card_id = _new_id(entries, item.group.cluster.key)
            next_position += 1
            last_note_id = max(now * 1000, last_note_id + 1)
            entry = LedgerEntry(card_id, genanki.guid_for(card_id), last_note_id, next_position, now, digest,
                                item.provenance_hash, members, item.primary, deck=item.deck, tags=item.tags,
                                content=item.content, sources=item.sources)
            status = CardStatus.NEW
            changes.append(CardChange(card_id, status, item.content.question, pages=_pages([item.primary])))
        else:
            assert card_id is not None
            revived = old.retired
            studied = old.content_hash != digest
            provenance = refresh and old.provenance_hash != item.provenance_hash
            entry = replace(old, members=members, primary=item.primary, state=CardState.ACTIVE, retired_because="",
                            deck=old.deck or item.deck)
            if revived or studied or provenance:
                status = CardStatus.REVIVED if revived else CardStatus.CHANGED
                entry = replace(entry, mod=_bump(old, now), content_hash=digest,
                                provenance_hash=item.provenance_hash, tags=item.tags, content=item.content,
                                sources=item.sources)
                why = "back in a source" if revived else ("" if studied else "sources refreshed")
                changes.append(CardChange(card_id, status, item.content.question,
                                          field_changes(old.content, item.content), _cause(old, item), why))
            else:
                status = CardStatus.UNCHANGED
            if entry.deck != item.deck:
                deck_moves.append((card_id, entry.deck, item.deck))
            if item.primary != old.primary and old.primary and item.primary_reason is not PrimaryReason.KEPT:
                moves.append((card_id, item.primary, item.primary_reason.value))
        entries[card_id] = entry
        emitted.add(card_id)
        holder.update(dict.fromkeys(members, card_id))
        cards.append(_card(entry, item, status))
    for card_id, old in ledger.entries.items():
        if card_id in emitted or card_id in never_emit:
            continue
        if old.retired:
            cards.append(_card(old, None, CardStatus.STILL_RETIRED))
            continue
        reason, pages = _retire_reason(old, present, holder)
        entry = replace(old, state=CardState.RETIRED, retired_because=reason, mod=_bump(old, now))
        entries[card_id] = entry
        cards.append(_card(entry, None, CardStatus.RETIRED))
        changes.append(CardChange(card_id, CardStatus.RETIRED, old.content.question, pages=pages, why=reason))
    new_ledger = Ledger(entries, ledger.note_type_hash, ledger.note_type_mod, last_note_id)
    return Outcome(tuple(cards), new_ledger, tuple(changes), tuple(not_carded), tuple(moves),
                   tuple(deck_moves))


def _retire_reason(entry: LedgerEntry, present: frozenset[str], holder: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    asked = [k for k in entry.members if k in present]
    if not asked:
        return RetireReason.GONE.value, _pages(entry.members)
    into = next((holder[k] for k in asked if holder.get(k)), "")
    if into:
        return f"{RetireReason.MERGED.value} {into}", _pages(asked)
    if NEEDS_ANSWER in entry.tags:
        return RetireReason.UNANSWERED_OFF.value, _pages(asked)
    gone = [k for k in entry.members if k not in present]
    return RetireReason.UNANSWERED.value, _pages(gone) or _pages(asked)
