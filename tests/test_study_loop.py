"""The study loop in a real Anki collection: a new page never rewrites a studied card; every card that leaves is
retired (and visible as such in Anki); overrides survive rebuilds; two builds in one second still update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions

from pipeline.changes import StudiedField  # noqa: E402
from pipeline.report import as_json, as_text  # noqa: E402
from pipeline.yamlio import read_yaml  # noqa: E402
from tests.conftest import NOW, session_for  # noqa: E402

STUDIED = """LLM 面试笔记
1、什么是 LoRA?
回答:冻结原权重,只训练低秩矩阵。
2、什么是 KV Cache?
回答:缓存 K 和 V。
3、什么是 RLHF?
回答:基于人类反馈的强化学习。
4、什么是 MoE?
回答:混合专家模型。
"""

NEW_PAGE = """另一份面试题
1. 什么是 LoRA?
回答:LoRA 在原权重旁加一个低秩分解 BA,训练时冻结原权重,只更新 A 和 B,推理时可把 BA 合并回原权重,没有额外延迟。
2. 什么是 KV Cache?
回答:自回归解码时缓存每层历史 token 的 Key 和 Value,新 token 只算自己的 K/V,代价是显存随长度增长。
3. 什么是 DPO?
回答:直接偏好优化,不训练奖励模型,直接用偏好对优化策略。
4. 什么是投机解码?
回答:小模型先猜多个 token,大模型一次验证。
"""


def _import(col: Any, package: Path) -> tuple[int, int, int]:
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col._clear_caches()
    return len(log.new), len(log.updated), len(log.duplicate)


def _notes(col: Any) -> dict[str, Any]:
    """Notes by their deckmill card id."""
    return {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}


@pytest.fixture()
def loop(tmp_path: Path) -> Any:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "studied.txt").write_text(STUDIED, encoding="utf-8")
    col = Collection(str(tmp_path / "collection.anki2"))
    yield tmp_path, raw, col
    col.close()


def test_a_new_page_adds_and_never_rewrites_then_leaves_and_retires(loop: Any) -> None:
    tmp_path, raw, col = loop
    package = tmp_path / "decks" / "deckmill.apkg"
    first = session_for(tmp_path, raw, NOW).build()
    assert len(first.new) == 4
    assert _import(col, package) == (4, 0, 0)
    before = {cid: (n["Question"], n["Answer"]) for cid, n in _notes(col).items()}
    lora = next(cid for cid, (q, _) in before.items() if "LoRA" in q)
    card = col.get_note(_notes(col)[lora].id).cards()[0]
    card.type = card.queue = 2
    card.ivl, card.due = 30, col.sched.today + 30  # studied for a month
    col.update_card(card)

    (raw / "new-page.txt").write_text(NEW_PAGE, encoding="utf-8")
    added = session_for(tmp_path, raw, NOW + 60).build()
    assert len(added.new) == 2  # DPO and speculative decoding
    changed = {c.card_id: c for c in added.changes if c.card_id in added.changed}
    assert len(changed) == 2 and lora in changed  # one more answer is studied content: the note updates
    for change in changed.values():
        assert [f.field for f in change.fields] == [StudiedField.OTHER_ANSWERS]
        assert change.pages == ("new-page",)
    assert "other answers: «0 other answers» -> «1 other answer, new: «LoRA 在原权重旁" in as_text(added)
    rows = {line.split()[0]: line.split()[1:] for line in as_text(added).splitlines()[1:4]}
    # the page brings 4 questions: 2 lead new cards, 2 join the studied cards, none without a card
    assert rows["new-page"] == ["txt/utf-8", "9", "1", "4", "4", "2", "2", "2", "0"]
    assert rows["studied"][5:] == ["4", "0", "0", "0"]
    assert _import(col, package) == (2, 2, 2)
    notes = _notes(col)
    for cid, (question, answer) in before.items():  # question and main answer stay what the learner studies
        assert (notes[cid]["Question"], notes[cid]["Answer"]) == (question, answer)
    assert "BA 合并回原权重" in notes[lora]["OtherAnswers"]
    studied = col.get_card(card.id)
    assert (studied.ivl, studied.type, studied.nid) == (30, 2, notes[lora].id)

    (raw / "new-page.txt").unlink()
    removed = session_for(tmp_path, raw, NOW + 120).build()
    retired = {c.card_id: c for c in removed.changes if c.card_id in removed.retired}
    assert set(retired) == set(added.new)  # exactly the cards that came only from that page
    assert {c.why for c in retired.values()} == {"its question is no longer in any source"}
    assert {c.pages for c in retired.values()} == {("new-page",)}
    assert set(removed.changed) == set(changed)  # their other answer left with the page
    assert _import(col, package) == (0, 4, 2)
    notes = _notes(col)
    assert len(notes) == 6
    for cid in added.new:
        assert "retired" in notes[cid].tags and notes[cid]["Question"] and notes[cid]["Answer"]  # fields kept
    for cid, (question, answer) in before.items():
        assert (notes[cid]["Question"], notes[cid]["Answer"]) == (question, answer)
        assert "retired" not in notes[cid].tags and not notes[cid]["OtherAnswers"]
    assert '"retired": [' in as_json(removed)
    again = session_for(tmp_path, raw, NOW + 180).build()
    assert not again.changes and again.still_retired == 2 and again.unchanged == 4
    assert _import(col, package) == (0, 0, 6)


def test_two_builds_within_one_second_still_update_a_changed_note(loop: Any) -> None:
    tmp_path, raw, col = loop
    package = tmp_path / "decks" / "deckmill.apkg"
    session_for(tmp_path, raw, NOW).build()
    _import(col, package)
    (raw / "studied.txt").write_text(STUDIED.replace("缓存 K 和 V。", "缓存每层的 K 和 V。"), encoding="utf-8")
    first = session_for(tmp_path, raw, NOW).build()  # the same second as the build the learner imported
    (kv,) = first.changed
    assert read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"][kv]["mod"] == NOW + 1
    assert _import(col, package) == (0, 1, 3)
    (raw / "studied.txt").write_text(STUDIED.replace("缓存 K 和 V。", "缓存每一层的 K 和 V。"), encoding="utf-8")
    second = session_for(tmp_path, raw, NOW).build()
    assert second.changed == (kv,)
    assert read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"][kv]["mod"] == NOW + 2
    assert _import(col, package) == (0, 1, 3)
    assert "缓存每一层的 K 和 V。" in _notes(col)[kv]["Answer"]


def test_a_correction_and_a_primary_override_survive_rebuilds(loop: Any) -> None:
    tmp_path, raw, col = loop
    (raw / "new-page.txt").write_text(NEW_PAGE, encoding="utf-8")
    session_for(tmp_path, raw, NOW).build()
    ledger = read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"]
    lora = next(cid for cid, e in ledger.items() if "LoRA" in e["question"])
    kv = next(cid for cid, e in ledger.items() if "KV" in e["question"])
    assert ledger[lora]["primary"].startswith("new-page/")  # a new card shows its best (longest) answer
    theirs = next(m for m in ledger[lora]["members"] if m.startswith("studied/"))
    (tmp_path / "decks" / "overrides.yaml").write_text(
        f"primary:\n  {lora}: {theirs}\ncorrections:\n  {kv}:\n    answer: 我自己的答案。\n", encoding="utf-8")
    first = session_for(tmp_path, raw, NOW + 10).build()
    assert set(first.changed) == {lora, kv}
    change = next(c for c in first.changes if c.card_id == lora)
    assert {f.field for f in change.fields} == {StudiedField.ANSWER, StudiedField.OTHER_ANSWERS}
    for now in (NOW + 20, NOW + 30):
        again = session_for(tmp_path, raw, now).build()
        assert not again.changes and again.unchanged == 6
    _import(col, tmp_path / "decks" / "deckmill.apkg")
    notes = _notes(col)
    assert notes[lora]["Answer"] == "<p>冻结原权重,只训练低秩矩阵。</p>"
    assert "BA 合并回原权重" in notes[lora]["OtherAnswers"]
    assert notes[kv]["Answer"] == "<p>我自己的答案。</p>"


def test_turning_include_unanswered_off_and_on_retires_and_revives_in_anki(loop: Any) -> None:
    tmp_path, raw, col = loop
    package = tmp_path / "decks" / "deckmill.apkg"
    (raw / "studied.txt").write_text(STUDIED + "5、什么是 GQA?\n", encoding="utf-8")
    on = session_for(tmp_path, raw, NOW).build(include_unanswered=True)
    assert _import(col, package) == (5, 0, 0)
    (gqa,) = [c.card_id for c in on.changes if c.question == "什么是 GQA?"]
    assert "needs-answer" in _notes(col)[gqa].tags
    off = session_for(tmp_path, raw, NOW + 1).build(include_unanswered=False)
    assert off.retired == (gqa,)
    assert _import(col, package) == (0, 1, 4)
    note = _notes(col)[gqa]
    assert "retired" in note.tags and "needs-answer" not in note.tags and note["Question"] == "什么是 GQA?"
    back = session_for(tmp_path, raw, NOW + 2).build(include_unanswered=True)
    assert back.revived == (gqa,)
    assert _import(col, package) == (0, 1, 4)
    note = _notes(col)[gqa]
    assert "retired" not in note.tags and "needs-answer" in note.tags and note.id == _notes(col)[gqa].id
    assert col.note_count() == 5
