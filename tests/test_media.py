"""Images kept beside a page (a browser's `_files/` folder, relative Markdown paths) travel as card media."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from pipeline.add import AddOptions, add_pages
from pipeline.cards import fields_for
from pipeline.config import load_rules
from pipeline.identity.ledger import load_ledger
from pipeline.preview import write_preview
from pipeline.session import Paths
from tests.conftest import NOW, session_for

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
OTHER_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64, 160))
HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Attention notes</title></head><body>
<h2>1. What is attention?</h2><p>A weighted sum of values, weights from query-key similarity.</p>
<p><img src="./Attention notes_files/fig1.png" alt="attention diagram"></p>
<h2>2. What is RAG?</h2><p>Retrieve documents first, then generate the answer from them.</p>
<p><img src="https://example.org/rag.png" alt="rag pipeline"></p>
</body></html>"""
MARKDOWN = """# Notes

## 1. What is LoRA?

Low-rank adapters on frozen weights.

![lora matrices](images/lora.png)

## 2. What is QLoRA?

LoRA on a 4-bit quantized base model. ![qlora](https://example.org/qlora.png)
"""


def _name(data: bytes) -> str:
    return f"dm-{hashlib.sha256(data).hexdigest()[:16]}.png"


def _package_media(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as z:
        names = json.loads(z.read("media"))
        return {name: z.read(number) for number, name in names.items()}


def _answers(tmp_path: Path) -> dict[str, str]:
    entries = load_ledger(tmp_path / "decks" / "ledger.yaml").entries.values()
    return {e.content.question: e.content.answer for e in entries}


def test_a_browser_saved_page_brings_its_images_into_the_package(tmp_path: Path) -> None:
    saved = tmp_path / "Downloads" / "Attention notes.html"
    (saved.parent / "Attention notes_files").mkdir(parents=True)
    saved.write_text(HTML, encoding="utf-8")
    (saved.parent / "Attention notes_files" / "fig1.png").write_bytes(PNG)
    paths = Paths(tmp_path / "raw", tmp_path / "decks")
    [added] = add_pages(paths, load_rules(), [str(saved)], AddOptions(), NOW)
    assert added.slug == "attention-notes"
    session = session_for(tmp_path, paths.raw)
    report = session.build()
    media = _package_media(tmp_path / "decks" / "deckmill.apkg")
    assert media == {_name(PNG): PNG} and not any(n.startswith("_") for n in media)
    answers = _answers(tmp_path)
    assert f"![attention diagram]({_name(PNG)})" in answers["What is attention?"]
    card = next(c for c in session.last_cards if c.content.question == "What is attention?")
    assert f'<img src="{_name(PNG)}" alt="attention diagram">' in fields_for(card)[1]
    rag = next(c for c in session.last_cards if c.content.question == "What is RAG?")
    assert "https://example.org/rag.png" not in fields_for(rag)[1]  # remote images are never loaded by a card
    page = write_preview(session, report).read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page and f'src="{_name(PNG)}"' not in page


def test_markdown_images_by_relative_path(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "images").mkdir(parents=True)
    (raw / "lora-notes.md").write_text(MARKDOWN, encoding="utf-8")
    (raw / "images" / "lora.png").write_bytes(PNG)
    (raw / "images" / "unused.png").write_bytes(OTHER_PNG)
    session = session_for(tmp_path, raw)
    session.build()
    assert _package_media(tmp_path / "decks" / "deckmill.apkg") == {_name(PNG): PNG}  # only what a card shows
    qlora = next(c for c in session.last_cards if c.content.question == "What is QLoRA?")
    assert '<a href="https://example.org/qlora.png" rel="noopener noreferrer">qlora</a>' in fields_for(qlora)[1]
    (raw / "images" / "lora.png").write_bytes(OTHER_PNG)  # the picture changed: a new name, never overwritten
    (raw / "lora-notes.md").write_text(MARKDOWN + "\n", encoding="utf-8")
    session_for(tmp_path, raw, NOW + 10).build()
    assert _package_media(tmp_path / "decks" / "deckmill.apkg") == {_name(OTHER_PNG): OTHER_PNG}


def test_media_reach_a_real_anki_collection(tmp_path: Path) -> None:
    anki = pytest.importorskip("anki.collection")
    raw = tmp_path / "raw"
    (raw / "images").mkdir(parents=True)
    (raw / "lora-notes.md").write_text(MARKDOWN, encoding="utf-8")
    (raw / "images" / "lora.png").write_bytes(PNG)
    session_for(tmp_path, raw).build()
    col = anki.Collection(str(tmp_path / "collection.anki2"))
    try:
        request = anki.ImportAnkiPackageRequest(package_path=str(tmp_path / "decks" / "deckmill.apkg"),
                                                options=anki.ImportAnkiPackageOptions())
        col.import_anki_package(request)
        assert (Path(col.media.dir()) / _name(PNG)).read_bytes() == PNG
        answers = [col.get_card(c).answer() for c in col.find_cards("")]
        assert sum(bool(re.search(rf'<img src="{_name(PNG)}"', a)) for a in answers) == 1
    finally:
        col.close()


def test_a_changed_picture_beside_an_unchanged_page_reaches_the_cards(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "images").mkdir(parents=True)
    (raw / "lora-notes.md").write_text(MARKDOWN, encoding="utf-8")
    (raw / "images" / "lora.png").write_bytes(PNG)
    session_for(tmp_path, raw).build(reuse_unchanged=True)
    (raw / "images" / "lora.png").write_bytes(OTHER_PNG)  # only the picture changes
    session = session_for(tmp_path, raw, NOW + 10)
    report = session.build(reuse_unchanged=True)
    assert [slug for slug, _ in report.rebuilt] == ["lora-notes"]
    assert _package_media(tmp_path / "decks" / "deckmill.apkg") == {_name(OTHER_PNG): OTHER_PNG}
    lora = next(c for c in session.last_cards if c.content.question == "What is LoRA?")
    assert _name(OTHER_PNG) in fields_for(lora)[1] and _name(PNG) not in fields_for(lora)[1]


def test_a_copied_project_with_pictures_reuses_its_stage_files(tmp_path: Path) -> None:
    raw = tmp_path / "one" / "raw"
    (raw / "images").mkdir(parents=True)
    (raw / "lora-notes.md").write_text(MARKDOWN, encoding="utf-8")
    (raw / "images" / "lora.png").write_bytes(PNG)
    session_for(tmp_path / "one", raw).build()
    shutil.copytree(tmp_path / "one", tmp_path / "two")  # as `deckmill add` does to build into a scratch copy
    report = session_for(tmp_path / "two", tmp_path / "two" / "raw", NOW + 10).build()
    assert (tmp_path / "two" / "decks" / "deckmill.apkg").exists()
    assert report.rebuilt == ()
