"""`deckmill forget`: record cards deleted in Anki under never_emit in overrides.yaml, keeping comments and order."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from pipeline.errors import ConfigError, DeckmillError
from pipeline.identity.ledger import load_ledger
from pipeline.overrides import load_overrides
from pipeline.yamlio import atomic_write

HEADER = ("Your decisions, kept across every rebuild (keys: never_emit, corrections, merge, keep_apart, primary).\n"
          "never_emit: cards deleted in Anki; a re-import never brings them back (`deckmill forget ID`).\n")


@dataclass(frozen=True)
class Forgotten:
    """What `forget` did: ids newly recorded, and ids that were recorded already."""

    added: tuple[str, ...]
    already: tuple[str, ...]


def round_trip_yaml() -> YAML:
    yaml = YAML()  # round-trip mode: comments, key order and quoting survive
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_for_edit(path: Path, yaml: YAML) -> CommentedMap:
    if not path.exists():
        data = CommentedMap()
        data.yaml_set_start_comment(HEADER)
        return data
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(str(path), mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ConfigError(str(path), 1, "overrides must be a mapping")
    return data


def retired_ids(ledger_path: Path) -> list[str]:
    """The cards the ledger holds as retired (gone from every source), in ledger order."""
    return [card_id for card_id, entry in load_ledger(ledger_path).entries.items() if entry.retired]


def forget(overrides_path: Path, ledger_path: Path, card_ids: list[str]) -> Forgotten:
    """Append `card_ids` to never_emit (each once); unknown ids are an error and nothing is written."""
    known = load_ledger(ledger_path).entries
    unknown = [c for c in card_ids if c not in known]
    if unknown:
        raise DeckmillError(f"unknown card id {unknown[0]} (`deckmill list TEXT` finds a card's id)")
    load_overrides(overrides_path)  # validates the file as the build will read it
    yaml = round_trip_yaml()
    data = load_for_edit(overrides_path, yaml)
    never = list_for_edit(data, "never_emit")
    present = {str(c) for c in never}
    added = [c for c in dict.fromkeys(card_ids) if c not in present]
    already = [c for c in dict.fromkeys(card_ids) if c in present]
    for card_id in added:
        never.append(card_id)
        entry = known[card_id]
        never.yaml_add_eol_comment(entry.content.question[:60].replace("\n", " "), len(never) - 1)
    if added:
        save_edited(overrides_path, yaml, data)
    return Forgotten(tuple(added), tuple(already))


def list_for_edit(data: CommentedMap, key: str) -> CommentedSeq:
    """The list under `key`, made (at the end) when the file has none; appending to it keeps its comments."""
    value = data.get(key)
    if not isinstance(value, CommentedSeq):
        value = CommentedSeq(value or [])
        data[key] = value
    return value


def save_edited(path: Path, yaml: YAML, data: CommentedMap) -> None:
    """Write a round-trip-loaded overrides file back (comments and order kept), atomically."""
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    text = buffer.getvalue()

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)
