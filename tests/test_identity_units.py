"""The identity package's pure functions: claiming published cards, the sticky primary, proposals, takeovers."""

from __future__ import annotations

from pathlib import Path

from pipeline.identity.claim import claim
from pipeline.identity.ledger import Ledger, LedgerEntry
from pipeline.identity.primary import PrimaryReason, choose_primary
from pipeline.models import CardContent, Cluster, Member, QAItem
from tests.conftest import NOW, session_for


def _entry(card_id: str, members: tuple[str, ...], primary: str = "", question: str = "") -> LedgerEntry:
    return LedgerEntry(card_id, f"g-{card_id}", NOW * 1000 + len(card_id), 1, NOW, "h", "p", members, primary,
                       content=CardContent(question, "a"))


def _cluster(*keys: str) -> Cluster:
    return Cluster(tuple(Member(*k.split("/")) for k in keys))


def _never(question: str, lang: str, answer: str, entry: LedgerEntry) -> int | None:
    return None


def test_two_published_cards_are_not_merged_but_proposed() -> None:
    ledger = Ledger({"dm-a": _entry("dm-a", ("p/1",)), "dm-b": _entry("dm-b", ("q/2",))})
    cluster = _cluster("p/1", "q/2", "r/3")  # dedup now says one question, plus a new page's wording
    asked = {k: ("?", "zh", "") for k in ("p/1", "q/2", "r/3")}
    groups, proposals = claim(ledger, [cluster], asked, (), _never)
    assert [(g.card_id, [m.source for m in g.cluster.members]) for g in groups] == [("dm-a", ["p", "r"]),
                                                                                  ("dm-b", ["q"])]
    assert [(p.keep, p.merge) for p in proposals] == [("dm-a", "dm-b")]
    accepted, none = claim(ledger, [cluster], asked, (("dm-b", "dm-a"),), _never)  # the person said yes
    assert [(g.card_id, len(g.cluster.members)) for g in accepted] == [("dm-b", 3)] and not none


def test_a_reworded_question_is_matched_only_against_cards_of_its_own_page() -> None:
    ledger = Ledger({"dm-a": _entry("dm-a", ("p/old",), question="旧问题"),
                     "dm-b": _entry("dm-b", ("q/old",), question="旧问题")})
    seen: list[str] = []

    def reworded(question: str, lang: str, answer: str, entry: LedgerEntry) -> int | None:
        seen.append(entry.card_id)
        return 90

    groups, _ = claim(ledger, [_cluster("q/new")], {"q/new": ("新问题", "zh", "")}, (), reworded)
    assert seen == ["dm-b"] and groups[0].card_id == "dm-b" and groups[0].carried_from == "旧问题"


def _item(question: str, answer: str) -> QAItem:
    return QAItem("x", question, answer, "", "zh")


def test_the_primary_is_sticky_followed_when_edited_and_replaced_when_gone() -> None:
    items = {"p/1": _item("什么是 LoRA?", "短"), "q/2": _item("LoRA 是什么?", "一个长得多的答案" * 3)}
    assert choose_primary(["p/1", "q/2"], items, None, None) == ("q/2", PrimaryReason.FIRST)  # best answer first
    entry = _entry("dm-a", ("p/1",), primary="p/1")
    assert choose_primary(["p/1", "q/2"], items, entry, None) == ("p/1", PrimaryReason.KEPT)
    items["p/9"] = _item("什么是 LoRA 微调?", "改写后的答案")
    assert choose_primary(["p/9", "q/2"], items, entry, None) == ("p/9", PrimaryReason.EDITED)
    assert choose_primary(["q/2"], items, entry, None) == ("q/2", PrimaryReason.TAKEOVER)
    assert choose_primary(["p/1", "q/2"], items, entry, "q/2") == ("q/2", PrimaryReason.USER)
    items["p/1"] = _item("什么是 LoRA?", "")  # published unanswered; an answer arrives from another page
    assert choose_primary(["p/1", "q/2"], items, entry, None) == ("q/2", PrimaryReason.ANSWER_ARRIVED)


def test_when_the_primary_page_leaves_the_next_member_takes_over_and_the_report_says_so(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "first.txt").write_text("笔记\n1、什么是 LoRA?\n回答:低秩适配。\n", encoding="utf-8")
    (raw / "second.txt").write_text("题目\n1. 什么是 LoRA?\n回答:冻结原权重,训练低秩矩阵 A 和 B。\n", encoding="utf-8")
    session_for(tmp_path, raw, NOW).build()
    (raw / "second.txt").unlink()  # the new card showed the longer answer: its page leaves
    report = session_for(tmp_path, raw, NOW + 5).build()
    assert len(report.changed) == 1 and not report.retired and not report.new
    assert [m[2] for m in report.primary_moves] == ["the previous primary left every source"]
    change = report.changes[0]
    assert [(f.field.value, f.before, f.after) for f in change.fields] == [
        ("main answer", "冻结原权重,训练低秩矩阵 A 和 B。", "低秩适配。"),
        ("other answers", "1 other answer", "0 other answers")]
    assert change.pages == ("second",)


def _page(raw: Path, name: str, text: str) -> None:
    raw.mkdir(exist_ok=True)
    (raw / name).write_text(text, encoding="utf-8")


def test_a_renamed_page_or_a_moved_question_keeps_its_cards(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _page(raw, "a.txt", "笔记\n1、什么是 RLHF?\n回答:基于人类反馈的强化学习。\n2、什么是 DPO?\n回答:直接偏好优化。\n")
    first = session_for(tmp_path, raw, NOW).build()
    (raw / "a.txt").rename(raw / "a-renamed.txt")
    renamed = session_for(tmp_path, raw, NOW + 1).build()
    assert not renamed.new and not renamed.retired and renamed.unchanged == 2
    (raw / "a-renamed.txt").unlink()
    assert len(session_for(tmp_path, raw, NOW + 2).build().retired) == 2
    _page(raw, "b.txt", "另一页\n1. 什么是 RLHF?\n回答:用人类偏好训练奖励模型,再用强化学习优化策略。\n")
    back = session_for(tmp_path, raw, NOW + 3).build()
    (rlhf,) = [c for c in first.changes if c.question == "什么是 RLHF?"]
    assert back.revived == (rlhf.card_id,) and not back.new  # the same note comes back, from another page
    assert next(c.why for c in back.changes if c.card_id == rlhf.card_id) == "back in a source"


def test_merge_un_accepted_splits_the_cards_again_without_crashing(tmp_path: Path) -> None:
    from tests.test_merge_proposals import PAGE_A, PAGE_B

    raw = tmp_path / "raw"
    _page(raw, "a.txt", PAGE_A)
    session_for(tmp_path, raw, NOW).build()
    (raw / "a.txt").unlink()
    _page(raw, "b.txt", PAGE_B)
    session_for(tmp_path, raw, NOW + 1).build()
    _page(raw, "a.txt", PAGE_A)
    proposed = session_for(tmp_path, raw, NOW + 2).build()
    (proposal,) = proposed.proposals
    overrides = tmp_path / "decks" / "overrides.yaml"
    overrides.write_text(f"merge:\n  - [{proposal.keep}, {proposal.merge}]\n", encoding="utf-8")
    merged = session_for(tmp_path, raw, NOW + 3).build()
    assert merged.retired == (proposal.merge,)
    overrides.write_text("merge: []\n", encoding="utf-8")  # the person changes their mind
    apart = session_for(tmp_path, raw, NOW + 4).build()
    assert apart.revived == (proposal.merge,) and len(apart.proposals) == 1


def test_a_primary_override_that_cannot_be_followed_is_reported(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _page(raw, "a.txt", "笔记\n1、什么是 LoRA?\n回答:低秩适配。\n")
    (change,) = session_for(tmp_path, raw, NOW).build().changes
    (tmp_path / "decks" / "overrides.yaml").write_text(f"primary:\n  {change.card_id}: a/qnothere\n", "utf-8")
    report = session_for(tmp_path, raw, NOW + 1).build()
    assert report.settings == (f"overrides.yaml: primary for {change.card_id} names a/qnothere, which is not a "
                               "question of that card: ignored",)


def test_never_emit_removed_brings_the_card_back_and_says_so(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _page(raw, "a.txt", "笔记\n1、什么是 LoRA?\n回答:低秩适配。\n2、什么是 DPO?\n回答:直接偏好优化。\n")
    first = session_for(tmp_path, raw, NOW).build()
    lora = first.changes[0].card_id
    overrides = tmp_path / "decks" / "overrides.yaml"
    overrides.write_text(f"never_emit: [{lora}]\n", encoding="utf-8")
    hidden = session_for(tmp_path, raw, NOW + 1).build()
    assert not hidden.changes and (lora, "never_emit in overrides") in hidden.not_carded
    overrides.write_text("never_emit: []\n", encoding="utf-8")
    back = session_for(tmp_path, raw, NOW + 2).build()
    assert back.revived == (lora,)
    assert back.changes[0].why == "no longer in never_emit: a re-import adds it again"


def test_a_card_split_by_dedup_follows_its_primary() -> None:
    ledger = Ledger({"dm-a": _entry("dm-a", ("p/1", "q/2"), primary="q/2")})
    asked = {k: ("?", "zh", "") for k in ("p/1", "q/2")}
    groups, _ = claim(ledger, [_cluster("p/1"), _cluster("q/2")], asked, (), _never)  # dedup now keeps them apart
    assert [(g.card_id, g.cluster.key) for g in groups] == [(None, "p/1"), ("dm-a", "q/2")]
