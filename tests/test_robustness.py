"""Bad input never crashes a build: damaged HTML, odd Markdown, garbage text, huge lines, bad stage files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import session_for

NASTY = {
    "unclosed.html": "<html><body><h2>What is X?<p>An answer <b>bold <i>nested</h2><table><tr><td>1. 问题?",
    "only-numbers.txt": "\n".join(f"{n}." for n in range(1, 200)),
    "weird.md": "# \n\n## ?\n\n```\nunclosed fence\n\n> > > 答：\n\n|a|\n|-|\n| ? |\n\n- [ ] 1. ？\n",
    "long-line.txt": "1、这是一个很长的问题吗?" + "答案" * 20000 + "\n2、" + "?" * 5000 + "\n",
    "math.txt": "1、公式是什么?\n" + "\\frac{a}{b}" * 300 + "\n",
    "controls.txt": "1、什么是\x0b换页?\n回答:\x0c分页符。\n",
    "entities.html": "<p>&#xffffffff; &#0; &bogus; #xZZ; &#x110000;</p><h3>1. Q&amp;A?</h3><p>&lt;script&gt;</p>",
}


def test_nasty_pages_build_or_are_skipped(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, text in NASTY.items():
        (raw / name).write_text(text, encoding="utf-8")
    rng = random.Random(1234)
    for n in range(5):
        (raw / f"random-{n}.txt").write_bytes(bytes(rng.randrange(256) for _ in range(3000)))
        words = ["1、", "什么", "?", "\n", "回答:", "是", "##", "<p>", "。", "Q:", "A:", " ", "**"]
        (raw / f"words-{n}.md").write_text("".join(rng.choice(words) for _ in range(800)), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ledger.yaml", "schema: 1\ncards:\n  dm-x: {guid: 1}\n", "ledger.yaml:3: missing key 'note_id'"),
    ("ledger.yaml", "cards: [\n", "ledger.yaml:2: invalid YAML"),
    ("ledger.yaml", "schema: 2\nnote_type: 5\n", "ledger.yaml:2: note_type must be a mapping"),
    ("ledger.yaml", "schema: 2\ncards:\n  dm-x:\n    guid: abc\n    note_id: abc\n",
     "ledger.yaml:5: 'note_id' must be a whole number, not 'abc'"),
    ("ledger.yaml", "schema: 2\ncards:\n  dm-x:\n    guid: abc\n    note_id: 5\n    position: 1\n    mod: 1\n"
     "    state: gone\n", "ledger.yaml:8: state must be one of active, retired"),
    ("ledger.yaml", "schema: 9\n", "ledger.yaml:1: unknown ledger schema 9"),
    ("overrides.yaml", "never_emit: dm-1\n", "overrides.yaml:1: 'never_emit' must be a list of strings"),
    ("overrides.yaml", "corrections:\n  dm-1:\n    anwser: x\n", "overrides.yaml:3: unknown key 'anwser'"),
    ("overrides.yaml", "primary:\n  dm-1: 7\n", "overrides.yaml:2: primary for dm-1 must be 'source/item-id'"),
    ("overrides.yaml", "merge:\n  - [dm-1]\n", "overrides.yaml:2: merge must be a list of lists"),
])
def test_broken_state_files_are_one_line_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p.txt").write_text("1、什么是RAG?\n回答:先检索再生成。\n", encoding="utf-8")
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / name).write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_outputs_are_never_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p.txt").write_text("1、什么是RAG?\n回答:先检索再生成。\n", encoding="utf-8")
    session_for(tmp_path, raw).build()
    package = tmp_path / "decks" / "deckmill.apkg"
    before = package.read_bytes()

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("zipfile.ZipFile.writestr", explode)  # the disk fills while the package is being zipped
    (raw / "p.txt").write_text("1、什么是RAG?\n回答:先检索,再生成。\n", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        session_for(tmp_path, raw, 1_790_000_500).build()
    assert package.read_bytes() == before
    assert not [p for p in (tmp_path / "decks").rglob("*.tmp")]


def test_a_second_build_at_the_same_time_stops_with_a_clear_message(tmp_path: Path) -> None:
    from pipeline.lock import project_lock

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p.txt").write_text("1、什么是RAG?\n回答:先检索再生成。\n", encoding="utf-8")
    with project_lock(tmp_path / "decks"):  # a build in progress
        result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 1
    assert "another deckmill run is using this folder" in result.output
    assert not (tmp_path / "decks" / "deckmill.apkg").exists()
    assert CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")]).exit_code == 0


def test_a_page_named_merged_is_an_ordinary_page_and_the_old_layout_moves(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "merged.txt").write_text("1、什么是RAG?\n回答:先检索再生成。\n", encoding="utf-8")
    old = tmp_path / "decks" / "yaml" / "merged.yaml"
    old.parent.mkdir(parents=True)
    old.write_text("schema: 1\ncards: []\nrelated_not_merged: []\n", encoding="utf-8")  # the first release's place
    report = session_for(tmp_path, raw).build()
    assert len(report.new) == 1
    assert "items:" in old.read_text(encoding="utf-8")  # now the page's own items file
    assert "related_not_merged" in (tmp_path / "decks" / "merged.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", [
    "💡 **什么是 LoRA?**", "line one\n💡 line two\n", 'a literal \\U0001F4A1 in code', "tab\there \\\\U0001F600 😀",
    "  leading spaces", "key: value # not a comment", "'quoted'", "多行\n  缩进\n", "",
])
def test_yaml_output_round_trips_and_keeps_emoji_readable(value: str) -> None:
    from pipeline.yamlio import dump_yaml

    data = {"items": [{"question": value, "answer": value}]}
    text = dump_yaml(data)
    assert yaml.safe_load(text) == data
    if "😀" in value or "💡" in value:
        assert "\\U0001F" not in text.replace("\\\\U0001F600", "")


def test_parsed_yaml_cache_follows_the_files_bytes(tmp_path: Path) -> None:
    from pipeline.yamlio import read_yaml

    path, cache = tmp_path / "ledger.yaml", tmp_path / "cache"
    path.write_text("cards:\n  dm-1: {question: 什么是 LoRA?}\n", encoding="utf-8")
    assert read_yaml(path, cache) == {"cards": {"dm-1": {"question": "什么是 LoRA?"}}}
    (cached,) = cache.glob("*.json")
    cached.write_text('{"cards": "from the cache"}', encoding="utf-8")  # proves the second read uses it
    assert read_yaml(path, cache) == {"cards": "from the cache"}
    path.write_text("cards: {}\n", encoding="utf-8")  # edited by hand: parsed again, old entry replaced
    assert read_yaml(path, cache) == {"cards": {}}
    assert len(list(cache.glob("*.json"))) == 1


@pytest.mark.parametrize(("content", "message"), [
    ("schema: 2\ncards:\n  dm-x:\n    guid: g\n    note_id: 1790000000000\n    position: 1\n    mod: 1790000000\n"
     "    sources: 5\n", "ledger.yaml:8: sources must be a list"),
    ("schema: 2\ncards:\n  dm-x:\n    guid: g\n    note_id: 99999999999999999999\n",
     "ledger.yaml:5: note_id must be a millisecond epoch"),
    ("schema: 2\ncards:\n  dm-x:\n    guid: g\n    note_id: 1790000000000\n    position: 1\n    mod: 99999999999\n",
     "ledger.yaml:7: mod must be a second epoch"),
    ("schema: 2\ncards:\n  dm-x:\n    guid: ''\n    note_id: 1790000000000\n", "ledger.yaml:4: guid must not be empty"),
])
def test_ledger_values_out_of_range_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p.txt").write_text("1、什么是RAG?\n回答:先检索再生成。\n", encoding="utf-8")
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "ledger.yaml").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 1 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_build_with_nothing_new_is_skipped_and_anything_new_is_not(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p.txt").write_text("1、什么是RAG?\n回答:先检索再生成。\n2、什么是DPO?\n回答:直接偏好优化。\n", "utf-8")
    args = ["build", "--raw", str(raw), "--out", str(tmp_path / "decks"), "--json"]
    first = json.loads(CliRunner().invoke(main, args).output)
    assert len(first["new"]) == 2
    package = tmp_path / "decks" / "deckmill.apkg"
    stamp = package.stat().st_mtime_ns
    again = json.loads(CliRunner().invoke(main, args).output)
    assert again["unchanged"] == 2 and again["changes"] == [] and package.stat().st_mtime_ns == stamp  # skipped
    assert again["sources"][0]["cards"] == 2 and again["sources"][0]["new"] == 0
    (tmp_path / "decks" / "overrides.yaml").write_text(f"never_emit: [{first['new'][0]}]\n", encoding="utf-8")
    hidden = json.loads(CliRunner().invoke(main, args).output)  # an edited overrides file is a new input
    assert hidden["unchanged"] == 1 and [first["new"][0], "never_emit in overrides"] in hidden["not_carded"]
    package.unlink()  # a missing output is rebuilt
    assert json.loads(CliRunner().invoke(main, args).output)["unchanged"] == 1 and package.exists()


@pytest.mark.parametrize("value", [
    "line\u2028separator", "nel\x85here", "del\x7fand C1\x9b", "bom\ufeffinside", "💡 emoji", 'quote " and \\ back',
    "多行\n  缩进\n", "tab\tand \u3000 ideographic space", "",
])
def test_flow_yaml_round_trips_what_json_leaves_raw(value: str) -> None:
    from pipeline.yamlio import dump_flow

    data = {"cards": {"dm-1": {"question": value, "tags": [value], "note_id": 1790000000000}}}
    text = dump_flow(data, "# header\n")
    assert yaml.safe_load(text) == data
    assert yaml.load(text, Loader=yaml.CSafeLoader) == data
