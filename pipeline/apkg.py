"""Write .apkg packages with genanki: frozen note type, ledger ids and per-note modification times."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import genanki

from pipeline.config import DeckSettings
from pipeline.media import referenced
from pipeline.models import Card
from pipeline.yamlio import atomic_write

# Frozen with the first release: renaming, reordering or adding fields forks the note type in every
# user's collection ("deckmill QA+") and their notes stop updating. Change template text/CSS only.
FIELDS: tuple[str, ...] = ("Question", "Answer", "OtherLangQuestion", "OtherLangAnswer", "OtherAnswers",
                           "AlsoAskedAs", "Sources", "Extra", "Id", "Spare1", "Spare2")
TEMPLATE_NAME = "Card 1"


def templates_dir() -> Path:
    """templates/ in a source checkout, or the copy packaged inside an installed deckmill."""
    packaged = Path(str(resources.files("pipeline"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def load_templates() -> tuple[str, str, str]:
    base = templates_dir()
    return tuple((base / name).read_text(encoding="utf-8")  # type: ignore[return-value]
                 for name in ("front.html", "back.html", "style.css"))


def templates_hash() -> str:
    return hashlib.sha256("\x00".join(load_templates()).encode("utf-8")).hexdigest()[:16]


class _Model(genanki.Model):  # type: ignore[misc]
    """A genanki model whose `mod` is the time its templates last changed (not the build time)."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self._mod
        return data


_NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
_CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"


class _Deck(genanki.Deck):  # type: ignore[misc]
    """A genanki deck whose notes are written as rows (ledger note id, GUID, mod and new-card position), in two
    batches: the per-note objects genanki would make cost more than the rows themselves."""

    def __init__(self, name: str, model: genanki.Model) -> None:
        super().__init__(deck_id(name), name)
        self.add_model(model)
        self.cards: list[tuple[Card, list[str]]] = []

    def write_to_db(self, cursor: Any, timestamp: float, id_gen: Any) -> None:
        super().write_to_db(cursor, timestamp, id_gen)  # the deck and the note type into `col` (no genanki notes)
        model = next(iter(self.models.values()))
        notes, cards = [], []
        for card, fields in self.cards:
            if len(fields) != len(model.fields):
                raise ValueError(f"card {card.card_id} has {len(fields)} fields, the note type {len(model.fields)}")
            if any(" " in tag for tag in card.tags):
                raise ValueError(f"card {card.card_id}: a tag holds a space: {card.tags}")
            notes.append((card.note_id, card.guid, model.model_id, card.mod, -1, f" {' '.join(card.tags)} ",
                          "\x1f".join(fields), fields[model.sort_field_index], 0, 0, ""))
            for ord_, test, required in model._req:  # the templates whose required fields this note fills
                if (any if test == "any" else all)(fields[i] for i in required):
                    cards.append((card.note_id + ord_, card.note_id, self.deck_id, ord_, card.mod, -1, 0, 0,
                                  card.position, 0, 0, 0, 0, 0, 0, 0, 0, ""))
        cursor.executemany(_NOTE_ROW, notes)
        cursor.executemany(_CARD_ROW, cards)


def note_type(settings: DeckSettings, mod: int) -> genanki.Model:
    front, back, css = load_templates()
    return _Model(mod, model_id=settings.note_type_id, name=settings.note_type_name,
                  fields=[{"name": name} for name in FIELDS],
                  templates=[{"name": TEMPLATE_NAME, "qfmt": front, "afmt": back}], css=css, sort_field_index=0)


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name; the id only has to be stable)."""
    return 1 << 30 | int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:12], 16) % (1 << 40)


def _write_apkg(path: Path, package: genanki.Package) -> None:
    """genanki's Package.write_to_file (timestamp 0), its scratch database held in memory and zipped from its
    serialized image (the same rows; no scratch file to write, sync and delete)."""
    connection = sqlite3.connect(":memory:")
    try:
        package.write_to_db(connection.cursor(), 0, itertools.count(0))
        connection.commit()
        image = connection.serialize()
    finally:
        connection.close()
    with zipfile.ZipFile(path, "w") as out:
        out.writestr(zipfile.ZipInfo("collection.anki2"), image)  # undated: Anki reads the rows, not the date
        out.writestr("media", json.dumps({index: os.path.basename(file)
                                          for index, file in enumerate(package.media_files)}))
        for index, file in enumerate(package.media_files):
            out.write(file, str(index))


def write_package(path: Path, cards: list[tuple[Card, list[str]]], model: genanki.Model,
                  media: dict[str, Path] | None = None) -> int:
    """Write one .apkg holding `cards` (each with its rendered fields) in their decks; returns notes written.

    `media` maps media names to image files; those the fields show travel in the package under that name.
    """
    decks: dict[str, _Deck] = {}
    for card, fields in sorted(cards, key=lambda cf: cf[0].position):
        if card.deck not in decks:
            decks[card.deck] = _Deck(card.deck, model)
        decks[card.deck].cards.append((card, fields))
    shown = sorted(referenced([f for _, fields in cards for f in fields]) & set(media)) if media else []

    def write(tmp: Path) -> None:
        if not shown:
            _write_apkg(tmp, genanki.Package(list(decks.values())))
            return
        with tempfile.TemporaryDirectory(prefix="deckmill-media-") as folder:
            files = []
            for name in shown:  # genanki names each media file by its base name: copy under the media name
                files.append(str(shutil.copyfile((media or {})[name], Path(folder) / name)))
            _write_apkg(tmp, genanki.Package(list(decks.values()), media_files=files))

    atomic_write(path, write)
    return sum(len(d.cards) for d in decks.values())
