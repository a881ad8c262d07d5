"""The built decks in a real Anki collection (the `anki` package, test-only): import, render, re-import, update."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions

from pipeline.apkg import FIELDS  # noqa: E402
from pipeline.session import Session  # noqa: E402
from tests.conftest import NOW, copy_raw, session_for  # noqa: E402

SEEDS = ("llm-common-questions-general", "llm-algorithm-interview-100", "llm-attention-basics-series-1",
         "top-50-llm-interview-questions-bilingual", "llm-interview-questions-part-3")


def _import(col: Collection, package: Path) -> tuple[int, int, int]:
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col._clear_caches()
    return len(log.new), len(log.updated), len(log.duplicate)


@pytest.fixture()
def workspace(tmp_path: Path) -> tuple[Path, Session, Collection]:
    raw = copy_raw(tmp_path / "raw", *SEEDS)
    session = session_for(tmp_path, raw, NOW)
    session.build()
    col = Collection(str(tmp_path / "collection.anki2"))
    yield raw, session, col
    col.close()


def test_import_renders_every_card(workspace: tuple[Path, Session, Collection]) -> None:
    _, session, col = workspace
    assert _import(col, session.paths.out / "deckmill.apkg") == (85, 0, 0)
    assert col.note_count() == 85 and col.card_count() == 85
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert "LLM面试::Transformer与注意力" in names and "LLM面试::微调与对齐" in names
    model = col.models.by_name("deckmill QA")
    assert model is not None and [f["name"] for f in model["flds"]] == list(FIELDS)
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        front, back = card.question(), card.answer()
        question = card.note()["Question"]
        assert question.strip() and question in front
        assert "dm-sources" in back and "{{" not in back
        assert "error" not in front.lower().split("</style>")[-1]
        assert card.note().mod >= NOW and card.note().id >= NOW * 1000
    tags = set(col.tags.all())
    assert {"source::top-50-llm-interview-questions-bilingual", "topic::transformer", "needs-review"} <= tags
    assert not any(" " in t or "\u3000" in t for t in tags)


def test_reimport_of_the_same_build_changes_nothing(workspace: tuple[Path, Session, Collection]) -> None:
    _, session, col = workspace
    package = session.paths.out / "deckmill.apkg"
    _import(col, package)
    assert _import(col, package) == (0, 0, 85)
    session_for(session.paths.out.parent, session.paths.raw, NOW + 3600).build()  # rebuild, nothing changed
    assert _import(col, package) == (0, 0, 85)
    assert [m.name for m in col.models.all_names_and_ids() if m.name.startswith("deckmill")] == ["deckmill QA"]


def test_changed_answer_updates_exactly_that_note_in_place(workspace: tuple[Path, Session, Collection]) -> None:
    raw, session, col = workspace
    package = session.paths.out / "deckmill.apkg"
    _import(col, package)
    target = col.find_notes('"Question:*涌现能力是啥原因*"')
    other = col.find_notes('"Question:*llama输入句子长度*"')
    assert len(target) == 1 and len(other) == 1
    target_card = col.get_note(target[0]).cards()[0]
    col.sched.set_due_date([target_card.id], "7")  # the learner has reviewed it: now a review card
    reviewed = col.get_card(target_card.id)
    assert reviewed.type == 2
    user_note = col.get_note(other[0])
    user_note.tags.append("my-own-tag")
    col.update_note(user_note)

    page = raw / "llm-algorithm-interview-100.txt"
    text = page.read_text(encoding="utf-8")
    assert "从而展现出涌现能力。" in text
    page.write_text(text.replace("从而展现出涌现能力。", "从而展现出涌现能力(已修订)。"), encoding="utf-8")
    report = session_for(session.paths.out.parent, raw, NOW + 86400).build()
    assert len(report.changed) == 1 and not report.new and not report.retired

    assert _import(col, package) == (0, 1, 84)
    note = col.get_note(target[0])
    assert "已修订" in note["Answer"]
    after = col.get_card(target_card.id)
    assert (after.id, after.nid, after.type, after.ivl, after.due) == (reviewed.id, reviewed.nid, 2, reviewed.ivl,
                                                                        reviewed.due)
    assert "my-own-tag" in col.get_note(other[0]).tags
    assert col.note_count() == 85


def test_template_change_reaches_the_note_type_without_a_fork(workspace: tuple[Path, Session, Collection],
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    _, session, col = workspace
    _import(col, session.paths.out / "deckmill.apkg")
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    with (templates / "style.css").open("a", encoding="utf-8") as fh:
        fh.write("\n.dm-marker-for-test { color: red; }\n")
    monkeypatch.setattr("pipeline.apkg.templates_dir", lambda: templates)
    report = session_for(session.paths.out.parent, session.paths.raw, NOW + 7200).build()
    assert not report.changed and not report.new
    _import(col, session.paths.out / "deckmill.apkg")
    names = [m.name for m in col.models.all_names_and_ids() if m.name.startswith("deckmill")]
    assert names == ["deckmill QA"]
    assert ".dm-marker-for-test" in col.models.by_name("deckmill QA")["css"]


def test_unanswered_questions_as_cards_import_and_render(tmp_path: Path) -> None:
    raw = copy_raw(tmp_path / "raw", "llm-algorithm-interview-100")
    session = session_for(tmp_path, raw, NOW)
    report = session.build(include_unanswered=True)
    assert len(report.new) == 55  # 56 questions, two of them the same question (LangChain), merged
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        assert _import(col, session.paths.out / "deckmill.apkg") == (55, 0, 0)
        unanswered = col.find_notes("tag:needs-answer")
        assert len(unanswered) == 55 - 16
        card = col.get_note(unanswered[0]).cards()[0]
        assert card.note()["Question"] and card.note()["Question"] in card.answer()
    finally:
        col.close()
