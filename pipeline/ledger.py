"""The committed identity ledger: stable card ids, GUIDs, note ids, and when each card's content last changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import genanki
from rapidfuzz import fuzz

from pipeline.config import DedupRules
from pipeline.dedup import Key, make_key, same_question, similarity
from pipeline.errors import ConfigError
from pipeline.models import CardContent
from pipeline.yamlio import line_of, read_yaml, write_yaml

SCHEMA = 1


@dataclass
class LedgerEntry:
    """What the ledger remembers of one card (mutable: the ledger is the build's persistent state)."""

    card_id: str
    guid: str
    note_id: int
    position: int
    changed: int
    content_hash: str
    provenance_hash: str
    members: list[str]
    lang: str
    question: str
    answer: str
    retired: bool = False
    tags: list[str] = field(default_factory=list)
    deck: str = ""


@dataclass
class Ledger:
    entries: dict[str, LedgerEntry] = field(default_factory=dict)
    note_type_hash: str = ""
    note_type_mod: int = 0
    last_note_id: int = 0


@dataclass(frozen=True)
class Identity:
    """The identity a card gets in this build, and what happened to it."""

    card_id: str
    guid: str
    note_id: int
    mod: int
    position: int
    status: str  # new | changed | unchanged | carried
    carried_from: str = ""  # the question this card was asked as before a rewording


def content_hash(content: CardContent) -> str:
    """Hash of what the learner studies (provenance excluded)."""
    studied = [content.question, content.answer, content.alt_question, content.alt_answer,
               list(content.other_answers)]
    return hashlib.sha256(json.dumps(studied, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def load_ledger(path: Path) -> Ledger:
    if not path.exists():
        return Ledger()
    data = read_yaml(path)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigError(str(path), 1, f"not a deckmill ledger with schema {SCHEMA}")
    ledger = Ledger(note_type_hash=str(data.get("note_type", {}).get("hash", "")),
                    note_type_mod=int(data.get("note_type", {}).get("mod", 0)),
                    last_note_id=int(data.get("last_note_id", 0)))
    for card_id, entry in (data.get("cards") or {}).items():
        try:
            ledger.entries[card_id] = LedgerEntry(card_id=card_id, **entry)
        except TypeError as exc:
            raise ConfigError(str(path), line_of(path, card_id), f"bad ledger entry '{card_id}': {exc}") from exc
    return ledger


def save_ledger(path: Path, ledger: Ledger) -> None:
    cards: dict[str, Any] = {}
    for card_id in sorted(ledger.entries, key=lambda c: (ledger.entries[c].position, c)):
        entry = asdict(ledger.entries[card_id])
        del entry["card_id"]
        cards[card_id] = entry
    write_yaml(path, {"schema": SCHEMA,
                      "note_type": {"hash": ledger.note_type_hash, "mod": ledger.note_type_mod},
                      "last_note_id": ledger.last_note_id, "cards": cards})


def stamp_note_type(ledger: Ledger, templates_hash: str, now: int) -> int:
    """The note type's mod: the time its templates/CSS last changed."""
    if ledger.note_type_hash != templates_hash:
        ledger.note_type_hash = templates_hash
        ledger.note_type_mod = now
    return ledger.note_type_mod


def _new_id(ledger: Ledger, key: str) -> str:
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    for size in range(10, 41):
        card_id = f"dm-{digest[:size]}"
        if card_id not in ledger.entries:
            return card_id
    raise RuntimeError("card id space exhausted")  # pragma: no cover - sha1 prefixes up to 40 chars


@dataclass(frozen=True)
class Candidate:
    """A card this build wants to emit, before it has an identity."""

    key: str
    members: tuple[str, ...]
    content: CardContent
    provenance_hash: str


def assign(ledger: Ledger, candidates: list[Candidate], now: int, rules: DedupRules,
           refresh: bool = False, present: frozenset[str] = frozenset()) -> tuple[list[Identity], list[LedgerEntry]]:
    """Give every candidate its ledger identity; returns identities (in order) and the entries now retired.

    An entry that no candidate claims is retired when its questions are gone from the sources (`present`
    holds every item key found this build) or now belong to other cards; an entry whose question is still
    there but not carded this build (say, built once with unanswered questions) is left alone.
    """
    by_member: dict[str, list[str]] = {}
    for entry in ledger.entries.values():
        for member in entry.members:
            by_member.setdefault(member, []).append(entry.card_id)
    claimed: set[str] = set()
    chosen: list[str | None] = []
    for cand in candidates:
        votes = [c for m in cand.members for c in by_member.get(m, []) if c not in claimed]
        card_id = max(dict.fromkeys(votes), key=votes.count) if votes else None  # ties: the first seen
        if card_id:
            claimed.add(card_id)
        chosen.append(card_id)
    carried: dict[int, str] = {}
    for index, cand in enumerate(candidates):
        if chosen[index] is None:
            match = _reworded_match(ledger, cand, claimed, rules)
            if match:
                claimed.add(match)
                chosen[index] = match
                carried[index] = match
    identities: list[Identity] = []
    next_position = max((e.position for e in ledger.entries.values()), default=0)
    for index, cand in enumerate(candidates):
        digest = content_hash(cand.content)
        card_id = chosen[index]
        if card_id is None:
            card_id = _new_id(ledger, cand.key)
            next_position += 1
            ledger.last_note_id = max(now * 1000, ledger.last_note_id + 1)
            ledger.entries[card_id] = LedgerEntry(card_id, genanki.guid_for(card_id), ledger.last_note_id,
                                                  next_position, now, digest, cand.provenance_hash,
                                                  list(cand.members), cand.content.lang, cand.content.question,
                                                  cand.content.answer)
            status = "new"
        else:
            entry = ledger.entries[card_id]
            if index in carried:
                carried[index] = entry.question
            status = "carried" if index in carried else "unchanged"
            studied_changed = entry.content_hash != digest
            if studied_changed or entry.retired or (refresh and entry.provenance_hash != cand.provenance_hash):
                entry.changed = now
                status = "changed" if status == "unchanged" else status
                entry.provenance_hash = cand.provenance_hash  # provenance as last published to learners
            entry.content_hash = digest
            entry.members = sorted(set(entry.members) | set(cand.members))
            entry.question, entry.answer, entry.lang = cand.content.question, cand.content.answer, cand.content.lang
            entry.retired = False
        entry = ledger.entries[card_id]
        identities.append(Identity(card_id, entry.guid, entry.note_id, entry.changed, entry.position, status,
                                   carried.get(index, "")))
    retired: list[LedgerEntry] = []
    emitted = {i.card_id for i in identities}
    carded = {m for cand in candidates for m in cand.members}
    for card_id, entry in ledger.entries.items():
        if card_id not in emitted:
            still_asked = set(entry.members) & present
            if still_asked and not still_asked <= carded:
                continue  # dormant: the question is still in a source, just not a card in this build
            if not entry.retired:
                entry.retired = True
                entry.changed = now
            retired.append(entry)
    return identities, retired


def _recleaned(key: Key, other: Key, answer: str, old_answer: str) -> bool:
    """A question re-cleaned (text trimmed or added around it) whose answer is still the old one."""
    if key.intent != other.intent or not key.text or not other.text:
        return False
    contained = key.text in other.text or other.text in key.text
    return contained and bool(answer) and fuzz.partial_ratio(answer[:1000], old_answer[:1000]) >= 80


def _reworded_match(ledger: Ledger, cand: Candidate, claimed: set[str], rules: DedupRules) -> str | None:
    """A ledger entry whose question this candidate rewords (same intent and key terms, similar text) or
    re-cleans (one question contains the other and the answer is the same)."""
    key = make_key(cand.content.question, cand.content.lang, rules)
    best: tuple[int, str] | None = None
    for entry in ledger.entries.values():
        if entry.card_id in claimed:
            continue
        other = make_key(entry.question, entry.lang, rules)
        same, score, reason = same_question(key, other, rules)
        if not same and reason == "below threshold":
            same = similarity(key, other) >= rules.related_threshold
        if not same:
            same = _recleaned(key, other, cand.content.answer, entry.answer)
        if same and (best is None or score > best[0]):
            best = (score, entry.card_id)
    return best[1] if best else None
