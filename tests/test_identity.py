"""Stable identity through rebuilds: the ledger keeps ids, bumps mod only for studied changes, retires, obeys
the user's overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from pipeline.config import load_rules
from pipeline.session import Paths, Session
from pipeline.yamlio import read_yaml
from tests.conftest import NOW, session_for

PAGE = """面试题合集
1、什么是 LoRA?
回答:LoRA 冻结原权重,只训练两个低秩矩阵。
2、涌现能力是啥原因?
回答:模型规模增大后,表示能力跨过阈值,出现小模型没有的能力。
3、什么是 KV Cache?
回答:缓存历史 token 的 K 和 V,解码时复用。
4、什么是 MoE?
"""


def _write(raw: Path, text: str, name: str = "page.txt") -> None:
    raw.mkdir(exist_ok=True)
    (raw / name).write_text(text, encoding="utf-8")


class Entry(NamedTuple):
    """A ledger entry as the committed file says it."""

    card_id: str
    guid: str
    note_id: int
    mod: int
    position: int
    tags: tuple[str, ...]
    deck: str
    retired: bool


def _entries(ledger: dict[str, Any]) -> dict[str, Entry]:
    return {e["question"]: Entry(card_id, e["guid"], e["note_id"], e["mod"], e["position"], tuple(e["tags"]),
                                 e["deck"], e["state"] == "retired") for card_id, e in ledger.items()}


def _build(tmp_path: Path, now: int, **kwargs: Any) -> tuple[Session, dict[str, Entry]]:
    session = session_for(tmp_path, tmp_path / "raw", now)
    session.build(**kwargs)
    return session, _entries(read_yaml(session.paths.ledger)["cards"])


def test_ids_positions_and_mod_are_issued_once(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _, first = _build(tmp_path, NOW)
    assert list(first) == ["什么是 LoRA?", "涌现能力是啥原因?", "什么是 KV Cache?"]  # MoE: no answer, no card
    assert [c.position for c in first.values()] == [1, 2, 3]
    note_ids = [c.note_id for c in first.values()]
    assert note_ids == sorted(note_ids) and len(set(note_ids)) == 3 and note_ids[0] == NOW * 1000
    assert all(c.mod == NOW for c in first.values())
    _, second = _build(tmp_path, NOW + 500)
    assert second == first  # same inputs + ledger: identical notes


def test_reworded_question_keeps_its_card_but_a_new_intent_does_not(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _, first = _build(tmp_path, NOW)
    reworded = PAGE.replace("涌现能力是啥原因?", "涌现能力出现的原因是什么?")
    _write(tmp_path / "raw", reworded.replace("什么是 KV Cache?", "如何减小 KV Cache?"))
    session, second = _build(tmp_path, NOW + 100)
    emergent = second["涌现能力出现的原因是什么?"]
    assert emergent.card_id == first["涌现能力是啥原因?"].card_id
    assert emergent.guid == first["涌现能力是啥原因?"].guid and emergent.mod == NOW + 100
    assert second["如何减小 KV Cache?"].card_id != first["什么是 KV Cache?"].card_id
    assert second["什么是 KV Cache?"].retired  # the old question is gone: retired, not silently dropped
    kv = next(c for c in session.last_cards if c.card_id == first["什么是 KV Cache?"].card_id)
    assert "retired" in kv.tags and kv.content.answer == "缓存历史 token 的 K 和 V,解码时复用。"  # fields kept
    report = session_for(tmp_path, tmp_path / "raw", NOW + 200).build()
    assert not report.retired and report.still_retired == 1  # retiring bumps mod once, not on every build
    assert not report.changed and not report.new
    assert _entries(read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"])["什么是 KV Cache?"].mod == NOW + 100


def test_only_the_changed_answer_gets_a_new_mod(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _, first = _build(tmp_path, NOW)
    _write(tmp_path / "raw", PAGE.replace("解码时复用。", "解码时直接复用,不再重算。"))
    _, second = _build(tmp_path, NOW + 60)
    changed = {q for q in second if second[q].mod != first[q].mod}
    assert changed == {"什么是 KV Cache?"} and second["什么是 KV Cache?"].mod == NOW + 60
    assert second["什么是 KV Cache?"].note_id == first["什么是 KV Cache?"].note_id


def test_provenance_only_change_waits_unless_refreshed(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _, first = _build(tmp_path, NOW)
    _write(tmp_path / "raw", "另一页\n1. 什么是LoRA？\n", name="other.txt")  # same question, no answer
    report = session_for(tmp_path, tmp_path / "raw", NOW + 10).build()
    assert not report.changed and report.unchanged == 3
    merged = (tmp_path / "decks" / "merged.yaml").read_text(encoding="utf-8")
    assert "source: other" in merged and "why: exact" in merged
    report = session_for(tmp_path, tmp_path / "raw", NOW + 20).build(refresh=True)
    assert report.changed == (first["什么是 LoRA?"].card_id,)


def test_overrides_correct_and_never_emit_by_card_id(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _, first = _build(tmp_path, NOW)
    lora, kv = first["什么是 LoRA?"].card_id, first["什么是 KV Cache?"].card_id
    (tmp_path / "decks" / "overrides.yaml").write_text(
        f"never_emit: [{kv}]\ncorrections:\n  {lora}:\n    answer: 低秩适配:W = W0 + BA。\n", encoding="utf-8")
    session = session_for(tmp_path, tmp_path / "raw", NOW + 30)
    report = session.build()
    assert report.changed == (lora,)
    assert (kv, "never_emit in overrides") in report.not_carded
    ledger = read_yaml(session.paths.ledger)["cards"]
    assert ledger[lora]["answer"] == "低秩适配:W = W0 + BA。"
    assert "needs-review" not in ledger[lora]["tags"]
    again = session_for(tmp_path, tmp_path / "raw", NOW + 40).build()  # the correction survives rebuilds
    assert not again.changed and read_yaml(session.paths.ledger)["cards"][lora]["mod"] == NOW + 30


def test_unanswered_card_is_updated_when_an_answer_arrives(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _, first = _build(tmp_path, NOW, include_unanswered=True)
    moe = first["什么是 MoE?"]
    assert "needs-answer" in moe.tags
    _write(tmp_path / "raw", PAGE + "回答:混合专家模型,每个 token 只激活少数专家。\n")
    _, second = _build(tmp_path, NOW + 5, include_unanswered=True)
    assert second["什么是 MoE?"].card_id == moe.card_id and second["什么是 MoE?"].mod == NOW + 5
    assert "needs-answer" not in second["什么是 MoE?"].tags


def test_a_recleaned_question_keeps_its_entry(tmp_path: Path) -> None:
    # a rule (here a user's) glued the answer's first sentence to the question; without it the build splits it off
    _write(tmp_path / "raw", "题\n1、什么时候用BERT什么时候用LLaMA?BERT适合理解类任务。\nLLaMA适合生成类任务。\n")
    user = tmp_path / "deckmill.yaml"
    user.write_text("structure:\n  question_continuations: [BERT]\n", encoding="utf-8")
    glued = Session(Paths(tmp_path / "raw", tmp_path / "decks"), load_rules(user), now=NOW)
    glued.build()
    (entry_id, entry), = read_yaml(glued.paths.ledger)["cards"].items()
    assert entry["question"] == "什么时候用BERT什么时候用LLaMA?BERT适合理解类任务。"
    report = session_for(tmp_path, tmp_path / "raw", NOW + 9).build()
    assert report.carried == ((entry_id, "什么时候用BERT什么时候用LLaMA?BERT适合理解类任务。"),)
    assert not report.new and not report.retired


def test_a_deck_change_reports_that_import_will_not_move_the_card(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE + "5、什么是 Foo 方法?\n回答:一种没有被分类的方法。\n")
    _, first = _build(tmp_path, NOW)
    foo = first["什么是 Foo 方法?"]
    assert foo.deck == "LLM面试::综合"
    user = tmp_path / "deckmill.yaml"
    user.write_text("deck:\n  fallback_topic: 其他\n", encoding="utf-8")
    report = Session(Paths(tmp_path / "raw", tmp_path / "decks"), load_rules(user), now=NOW + 3).build()
    assert report.deck_moves == ((foo.card_id, "LLM面试::综合", "LLM面试::其他"),)
    assert read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"][foo.card_id]["deck"] == "LLM面试::综合"


def test_merge_and_keep_apart_decisions_by_card_id(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE + "5、LoRA 的原理是什么?\n回答:冻结原权重,训练低秩增量 BA。\n")
    _, first = _build(tmp_path, NOW)
    lora, principle = first["什么是 LoRA?"].card_id, first["LoRA 的原理是什么?"].card_id
    overrides = tmp_path / "decks" / "overrides.yaml"
    overrides.write_text(f"merge:\n  - [{lora}, {principle}]\n", encoding="utf-8")
    report = session_for(tmp_path, tmp_path / "raw", NOW + 1).build()
    assert report.retired == (principle,) and report.changed == (lora,)
    merged = read_yaml(tmp_path / "decks" / "merged.yaml")["cards"]
    card = next(c for c in merged if c["card"] == lora)
    assert [m["why"] for m in card["members"]] == ["first", "merged by overrides"]
    overrides.write_text(f"keep_apart:\n  - [{lora}, {principle}]\n", encoding="utf-8")
    report = session_for(tmp_path, tmp_path / "raw", NOW + 2).build()
    assert report.revived == (principle,) and not report.retired
    ledger = read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"]
    assert ledger[principle]["state"] == "active" and ledger[principle]["question"] == "LoRA 的原理是什么?"


def test_bad_overrides_name_the_line(tmp_path: Path) -> None:
    from pipeline.errors import ConfigError
    from pipeline.overrides import load_overrides

    path = tmp_path / "overrides.yaml"
    path.write_text("never_emit: []\nmerge:\n  - [dm-1]\n", encoding="utf-8")
    try:
        load_overrides(path)
    except ConfigError as exc:
        assert str(exc) == f"{path}:3: merge must be a list of lists of two or more card ids"  # the bad group
    else:
        raise AssertionError("expected a ConfigError")


def test_meta_deck_and_tags_reach_that_sources_new_cards(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    _write(tmp_path / "raw", "另一页\n1. 什么是 DPO?\n回答:直接偏好优化。\n", name="other.txt")
    (tmp_path / "raw" / "other.meta.yaml").write_text("title: 其他\ndeck: 我的面试::对齐\ntags: [my-list]\n",
                                                     encoding="utf-8")
    report = session_for(tmp_path, tmp_path / "raw", NOW).build()
    assert dict(report.packages) == {"deckmill.apkg": 4}  # one package, whatever the decks inside
    assert sorted(p.name for p in (tmp_path / "decks").glob("*.apkg")) == ["deckmill.apkg"]
    ledger = read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"]
    dpo = next(e for e in ledger.values() if e["question"] == "什么是 DPO?")
    assert dpo["deck"] == "我的面试::对齐::微调与对齐" and "my-list" in dpo["tags"]


def test_include_unanswered_is_a_saved_setting_and_turning_it_off_retires(tmp_path: Path) -> None:
    _write(tmp_path / "raw", PAGE)
    user = tmp_path / "deckmill.yaml"
    user.write_text("deck:\n  include_unanswered: true\n", encoding="utf-8")

    def build(now: int, flag: bool | None = None) -> Any:
        session = Session(Paths(tmp_path / "raw", tmp_path / "decks"), load_rules(user), now=now)
        return session.build(include_unanswered=flag)

    first = build(NOW)
    assert len(first.new) == 4 and not first.settings
    moe = _entries(read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"])["什么是 MoE?"]
    assert build(NOW + 1).unchanged == 4  # the saved setting holds without a flag
    once = build(NOW + 2, flag=False)  # the flag overrides it for one build, and says so
    assert once.retired == (moe.card_id,) and once.unchanged == 3
    assert "include_unanswered is off for this build only" in once.settings[0]
    retired = next(c for c in once.changes if c.card_id == moe.card_id)
    assert retired.why == "unanswered, and include_unanswered is off" and retired.pages == ("page",)
    back = build(NOW + 3)
    assert back.revived == (moe.card_id,) and not back.new
    entry = _entries(read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"])["什么是 MoE?"]
    assert entry.note_id == moe.note_id and not entry.retired and entry.mod == NOW + 3
    _write(tmp_path / "raw", PAGE.replace("4、什么是 MoE?\n", ""))  # now the question is really gone
    gone = build(NOW + 4)
    assert gone.retired == (moe.card_id,)
    assert next(c.why for c in gone.changes if c.card_id == moe.card_id) == "its question is no longer in any source"
