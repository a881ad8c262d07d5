"""Write .apkg packages with genanki: frozen note type, ledger ids and per-note modification times."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
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


class _Note(genanki.Note):  # type: ignore[misc]
    """A genanki note that writes the ledger's note id, card id, mod and new-card position."""

    def __init__(self, note_id: int, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._note_id = note_id
        self._mod = mod

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        self._check_number_model_fields_matches_num_fields()
        cursor.execute("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", (
            self._note_id, self.guid, self.model.model_id, self._mod, -1, self._format_tags(),
            self._format_fields(), self.sort_field, 0, 0, ""))
        for card in self.cards:
            cursor.execute("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", (
                self._note_id + card.ord, self._note_id, deck_id, card.ord, self._mod, -1, 0, 0, self.due,
                0, 0, 0, 0, 0, 0, 0, 0, ""))


def note_type(settings: DeckSettings, mod: int) -> genanki.Model:
    front, back, css = load_templates()
    return _Model(mod, model_id=settings.note_type_id, name=settings.note_type_name,
                  fields=[{"name": name} for name in FIELDS],
                  templates=[{"name": TEMPLATE_NAME, "qfmt": front, "afmt": back}], css=css, sort_field_index=0)


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name; the id only has to be stable)."""
    return 1 << 30 | int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:12], 16) % (1 << 40)


def write_package(path: Path, cards: list[tuple[Card, list[str]]], model: genanki.Model,
                  media: dict[str, Path] | None = None) -> int:
    """Write one .apkg holding `cards` (each with its rendered fields) in their decks; returns notes written.

    `media` maps media names to image files; those the fields show travel in the package under that name.
    """
    decks: dict[str, genanki.Deck] = {}
    for card, fields in sorted(cards, key=lambda cf: cf[0].position):
        deck = decks.setdefault(card.deck, genanki.Deck(deck_id(card.deck), card.deck))
        deck.add_note(_Note(card.note_id, card.mod, model=model, fields=fields, tags=list(card.tags),
                            guid=card.guid, due=card.position))
    shown = sorted(referenced([f for _, fields in cards for f in fields]) & set(media or {}))

    def write(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="deckmill-media-") as folder:
            files = []
            for name in shown:  # genanki names each media file by its base name: copy under the media name
                files.append(str(shutil.copyfile((media or {})[name], Path(folder) / name)))
            genanki.Package(list(decks.values()), media_files=files).write_to_file(str(tmp), timestamp=0)

    atomic_write(path, write)
    return sum(len(d.notes) for d in decks.values())
