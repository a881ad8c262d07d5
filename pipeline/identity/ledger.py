"""The committed identity ledger: each card's stable id, GUID, note id, primary member, and what was last published.

Schema 2. A schema-1 ledger (the first release) loads and is migrated: `changed` becomes `mod`, `retired`
becomes `state`, and the primary member is chosen on the next build (the member asking the published question).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline.changes import RetireReason
from pipeline.models import CardContent, SourceRef
from pipeline.snapshot import keep_snapshot, load_snapshot
from pipeline.yamlcheck import Checker
from pipeline.yamlio import atomic_write, dump_flow, read_yaml

SCHEMA = 2
SNAPSHOT = "ledger"  # decks/.cache/parsed/ledger-<bytes and code>.pickle: the validated ledger
HEADER = ("# deckmill's identity ledger (commit it): each card's stable id, GUID, note id, primary member, and what\n"
          "# was last published. Written by deckmill in flow style (JSON is YAML); edit by hand only with care.\n")
MAX_NOTE_ID = 10**13  # a millisecond epoch (year 2286); larger ids overflow Anki
MAX_MOD = 2**31  # a second epoch that Anki's 32-bit fields hold
_V1_KEYS = ("guid", "note_id", "position", "changed", "content_hash", "provenance_hash", "members", "lang",
            "question", "answer", "retired", "tags", "deck")
_KEYS = ("guid", "note_id", "position", "mod", "content_hash", "provenance_hash", "primary", "members", "state",
         "retired_because", "merged_into", "deck", "tags", "lang", "question", "answer", "alt_lang", "alt_question",
         "alt_answer", "other_answers", "also_asked", "sources")
_SOURCE_KEYS = ("slug", "file", "title", "url")


class CardState(StrEnum):
    """Whether a published card is still emitted."""

    ACTIVE = "active"
    RETIRED = "retired"
    NEVER_EMIT = "never-emit"  # listed in never_emit: kept, never written to a package


@dataclass(frozen=True)
class LedgerEntry:
    """What the ledger remembers of one card: its identity, and its content and tags as last published."""

    card_id: str
    guid: str
    note_id: int
    position: int
    mod: int  # when what the learner studies last changed (the note's `mod` in Anki)
    content_hash: str
    provenance_hash: str
    members: tuple[str, ...]  # "source/item-id" keys of the questions this card holds
    primary: str = ""  # the member whose question and answer the card shows ("" until chosen: migrated)
    state: CardState = CardState.ACTIVE
    retired_because: RetireReason | None = None
    merged_into: str = ""
    deck: str = ""
    tags: tuple[str, ...] = ()
    content: CardContent = field(default_factory=lambda: CardContent("", ""))
    sources: tuple[SourceRef, ...] = ()

    @property
    def retired(self) -> bool:
        return self.state is CardState.RETIRED


@dataclass(frozen=True)
class Ledger:
    """The whole ledger: entries by card id, plus the note type's published state."""

    entries: dict[str, LedgerEntry] = field(default_factory=dict)
    note_type_hash: str = ""
    note_type_mod: int = 0
    last_note_id: int = 0


def content_hash(content: CardContent) -> str:
    """Hash of what the learner studies: question, main answer, other language, other answers (not provenance)."""
    studied = [content.question, content.answer, content.alt_question, content.alt_answer,
               list(content.other_answers)]
    return hashlib.sha256(json.dumps(studied, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Texts:
    """What a load hands to the next save: the file's bytes and, by card id, the entry and where its text lies in
    them, so an unchanged card's text is copied, never encoded again (keyed by id, not by entry: hashing a whole
    card costs as much as encoding it)."""

    raw: bytes = b""
    spans: dict[str, tuple[LedgerEntry, int, int]] = field(default_factory=dict)


def load_ledger(path: Path, cache_dir: Path | None = None) -> Ledger:
    """Read and validate a ledger (schema 1 or 2); every problem is a ConfigError with file and line."""
    return read_ledger(path, cache_dir)[0]


def read_ledger(path: Path, cache_dir: Path | None = None) -> tuple[Ledger, Texts]:
    """The ledger, and the text of each entry as last written (for `save_ledger`).

    With `cache_dir`, the validated ledger is kept there, keyed by the file's bytes and deckmill's code, so an
    unchanged ledger (tens of thousands of cards) is read and checked once; the YAML stays the only truth.
    """
    if not path.exists():
        return Ledger(), Texts()
    if cache_dir is None:
        return _parse_ledger(path), Texts()
    try:
        raw = path.read_bytes()
    except OSError:
        return _parse_ledger(path), Texts()  # which names the problem
    kept = load_snapshot(raw, cache_dir, SNAPSHOT)
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], Ledger) and isinstance(kept[1], dict):
        return kept[0], Texts(raw, kept[1])
    ledger = _parse_ledger(path)  # no snapshot yet, or one from other bytes or other code: read the file itself
    keep_snapshot(raw, (ledger, {}), cache_dir, SNAPSHOT)
    return ledger, Texts()


def _parse_ledger(path: Path) -> Ledger:
    check = Checker(path)
    data = check.mapping(read_yaml(path), [], "a ledger")
    schema = check.get(data, [], "schema", int)
    if schema not in (1, SCHEMA):
        raise check.fail(["schema"], f"unknown ledger schema {schema} (this deckmill reads 1 and {SCHEMA})")
    check.only(data, [], ("schema", "note_type", "last_note_id", "cards"))
    note_type = check.mapping(data.get("note_type"), ["note_type"], "note_type")
    check.only(note_type, ["note_type"], ("hash", "mod"))
    cards = check.mapping(data.get("cards"), ["cards"], "cards")
    read = _read_v1 if schema == 1 else _read_v2
    entries = {str(card_id): read(check, str(card_id), check.mapping(raw, ["cards", card_id], f"card {card_id}"))
               for card_id, raw in cards.items()}
    seen: dict[str, str] = {}
    for entry in entries.values():
        for unique in (entry.guid, str(entry.note_id)):
            if unique in seen:
                raise check.fail(["cards", entry.card_id], f"card {entry.card_id} shares {unique} with {seen[unique]}")
            seen[unique] = entry.card_id
    return Ledger(entries, check.get(note_type, ["note_type"], "hash", str, ""),
                  check.get(note_type, ["note_type"], "mod", int, 0), check.get(data, [], "last_note_id", int, 0))


def _identity(check: Checker, keys: list[str | int], raw: dict[str, Any]) -> dict[str, Any]:
    note_id = check.get(raw, keys, "note_id", int)
    if not 0 < note_id < MAX_NOTE_ID:
        raise check.fail([*keys, "note_id"], "note_id must be a millisecond epoch (a positive 13-digit number)")
    guid = check.get(raw, keys, "guid", str)
    if not guid:
        raise check.fail([*keys, "guid"], "guid must not be empty")
    return {"guid": guid, "note_id": note_id,
            "position": check.get(raw, keys, "position", int),
            "content_hash": check.get(raw, keys, "content_hash", str, ""),
            "provenance_hash": check.get(raw, keys, "provenance_hash", str, ""),
            "members": check.strings(raw, keys, "members"), "deck": check.get(raw, keys, "deck", str, ""),
            "tags": check.strings(raw, keys, "tags")}


def _read_v1(check: Checker, card_id: str, raw: dict[str, Any]) -> LedgerEntry:
    keys: list[str | int] = ["cards", card_id]
    check.only(raw, keys, _V1_KEYS)
    ident = _identity(check, keys, raw)
    retired = check.get(raw, keys, "retired", bool, False)
    content = CardContent(check.get(raw, keys, "question", str, ""), check.get(raw, keys, "answer", str, ""),
                          lang=check.get(raw, keys, "lang", str, ""))
    return LedgerEntry(card_id=card_id, mod=_mod(check, keys, raw, "changed"),
                       state=CardState.RETIRED if retired else CardState.ACTIVE, content=content,
                       **ident)


def _read_v2(check: Checker, card_id: str, raw: dict[str, Any]) -> LedgerEntry:
    keys: list[str | int] = ["cards", card_id]
    check.only(raw, keys, _KEYS)
    ident = _identity(check, keys, raw)
    state = check.get(raw, keys, "state", str, CardState.ACTIVE.value)
    if state not in {s.value for s in CardState}:
        raise check.fail([*keys, "state"], f"state must be one of {', '.join(s.value for s in CardState)}")
    content = CardContent(
        question=check.get(raw, keys, "question", str, ""), answer=check.get(raw, keys, "answer", str, ""),
        alt_question=check.get(raw, keys, "alt_question", str, ""),
        alt_answer=check.get(raw, keys, "alt_answer", str, ""),
        other_answers=check.strings(raw, keys, "other_answers"), also_asked=check.strings(raw, keys, "also_asked"),
        lang=check.get(raw, keys, "lang", str, ""), alt_lang=check.get(raw, keys, "alt_lang", str, ""))
    sources = []
    refs = raw.get("sources") or []
    if not isinstance(refs, list):
        raise check.fail([*keys, "sources"], "sources must be a list")
    for index, ref in enumerate(refs):
        where: list[str | int] = [*keys, "sources", index]
        ref = check.mapping(ref, where, "a source")
        check.only(ref, where, _SOURCE_KEYS)
        sources.append(SourceRef(check.get(ref, where, "slug", str), check.get(ref, where, "file", str, ""),
                                 check.get(ref, where, "title", str, ""), check.get(ref, where, "url", str, "")))
    because = check.get(raw, keys, "retired_because", str, "")
    if because and because not in {r.value for r in RetireReason}:
        raise check.fail([*keys, "retired_because"],
                         f"retired_because must be one of {', '.join(r.value for r in RetireReason)}")
    return LedgerEntry(card_id=card_id, mod=_mod(check, keys, raw, "mod"),
                       primary=check.get(raw, keys, "primary", str, ""), state=CardState(state),
                       retired_because=RetireReason(because) if because else None,
                       merged_into=check.get(raw, keys, "merged_into", str, ""), content=content,
                       sources=tuple(sources), **ident)


def _mod(check: Checker, keys: list[str | int], raw: dict[str, Any], key: str) -> int:
    mod = check.get(raw, keys, key, int)
    if not 0 < mod < MAX_MOD:
        raise check.fail([*keys, key], f"{key} must be a second epoch (a positive 10-digit number)")
    return mod


def _entry_dict(entry: LedgerEntry) -> dict[str, Any]:
    c = entry.content
    data: dict[str, Any] = {
        "guid": entry.guid, "note_id": entry.note_id, "position": entry.position, "mod": entry.mod,
        "content_hash": entry.content_hash, "provenance_hash": entry.provenance_hash, "primary": entry.primary,
        "members": list(entry.members), "state": entry.state.value,
        "retired_because": entry.retired_because.value if entry.retired_because else "",
        "merged_into": entry.merged_into,
        "deck": entry.deck, "tags": list(entry.tags), "lang": c.lang, "question": c.question, "answer": c.answer,
        "alt_lang": c.alt_lang, "alt_question": c.alt_question, "alt_answer": c.alt_answer,
        "other_answers": list(c.other_answers), "also_asked": list(c.also_asked),
        "sources": [{"slug": s.slug, "file": s.filename, "title": s.title, "url": s.url} for s in entry.sources],
    }
    return {k: v for k, v in data.items() if v not in ("", [], None)}  # lean: absent means empty


def _entry_text(entry: LedgerEntry) -> str:
    """One card as it sits in the ledger's `cards` mapping (indented as `dump_flow` indents it there)."""
    text = dump_flow({entry.card_id: _entry_dict(entry)})
    return " " + text[2:-3].replace("\n ", "\n  ")  # drop the outer braces; one level deeper


def save_ledger(path: Path, ledger: Ledger, cache_dir: Path | None = None, texts: Texts | None = None) -> None:
    """Write the ledger as flow-style YAML (one field per line); a card whose entry is unchanged since `texts`
    were made keeps its text. With `cache_dir`, also keep what was written as the snapshot the next load reuses."""
    order = sorted(ledger.entries, key=lambda c: (ledger.entries[c].position, c))
    known = texts or Texts()
    head = dump_flow({"schema": SCHEMA, "note_type": {"hash": ledger.note_type_hash, "mod": ledger.note_type_mod},
                      "last_note_id": ledger.last_note_id, "cards": {}}, HEADER).encode()
    empty = b' "cards": {}\n}\n'
    spans: dict[str, tuple[LedgerEntry, int, int]] = {}
    if not order:
        data = head
    else:  # joined as bytes: a large ledger's text is never copied whole as a string
        chunks = [head.removesuffix(empty) + b' "cards": {\n']
        at = len(chunks[0])
        for card_id in order:
            entry = ledger.entries[card_id]
            kept = known.spans.get(card_id)
            if kept is not None and (kept[0] is entry or kept[0] == entry):
                chunk = known.raw[kept[1]:kept[2]]
            else:
                chunk = _entry_text(entry).encode()
            spans[card_id] = (entry, at, at + len(chunk))
            chunks.append(chunk)
            at += len(chunk) + 2  # and ",\n"
        data = chunks[0] + b",\n".join(chunks[1:]) + b"\n }\n}\n"
        del chunks

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    atomic_write(path, write)
    if cache_dir is not None:
        keep_snapshot(data, (ledger, spans), cache_dir, SNAPSHOT)
