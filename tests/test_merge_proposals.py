"""Two cards the learner already studies are merged only when the person accepts the proposal."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.yamlio import read_yaml

PAGE_A = "笔记\n1、什么是 LoRA?\n回答:低秩适配,冻结原权重。\n"
PAGE_B = "题目\n1. LoRA 是什么?\n回答:在原权重旁训练低秩矩阵 A 和 B。\n"


def _build(tmp_path: Path) -> str:
    result = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_merge_of_two_published_cards_is_proposed_then_accepted(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(PAGE_A, encoding="utf-8")
    _build(tmp_path)
    (raw / "a.txt").unlink()
    (raw / "b.txt").write_text(PAGE_B, encoding="utf-8")
    _build(tmp_path)  # the question reworded on another page only: a card of its own; a's card retires
    cards = read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"]
    first, second = (cid for cid, e in cards.items())
    (raw / "a.txt").write_text(PAGE_A, encoding="utf-8")
    out = _build(tmp_path)  # both pages now: dedup says one question, but both cards are published
    assert f"proposed merge of two cards you study: {second} into {first}" in out
    cards = read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"]
    assert cards[first]["state"] == "active" and cards[second]["state"] == "active"  # nothing merged yet
    args = ["--raw", str(raw), "--out", str(tmp_path / "decks")]
    listed = CliRunner().invoke(main, ["merge", *args])
    assert listed.output.strip().startswith(f"{first} «什么是 LoRA?» = {second} «LoRA 是什么?» (similarity ")
    overrides = tmp_path / "decks" / "overrides.yaml"
    overrides.write_text("# my decisions\nnever_emit: []  # none yet\n", encoding="utf-8")
    accepted = CliRunner().invoke(main, ["merge", "--accept", *args])
    assert f"accepted: {second} merges into {first}" in accepted.output
    text = overrides.read_text(encoding="utf-8")
    assert text.startswith("# my decisions\nnever_emit: []  # none yet\n") and f"[{first}, {second}]" in text
    out = _build(tmp_path)
    cards = read_yaml(tmp_path / "decks" / "ledger.yaml")["cards"]
    assert cards[first]["state"] == "active" and len(cards[first]["members"]) == 2
    assert cards[second]["state"] == "retired" and cards[second]["retired_because"] == "merged"
    assert cards[second]["merged_into"] == first
    assert "proposed merge" not in out and not (tmp_path / "decks" / "proposals.yaml").exists()
