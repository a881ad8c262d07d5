"""Configuration errors name file and line; the CLI is thin: summary, JSON, stage commands, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.apkg import FIELDS
from pipeline.cli import main
from pipeline.config import load_rules
from pipeline.errors import ConfigError
from tests.conftest import copy_raw

PAGE = "题目\n1、什么是 LoRA?\n回答:LoRA 只训练低秩矩阵。\n2、什么是 RAG?\n回答:先检索再生成。\n"


def test_the_note_type_field_list_is_frozen() -> None:
    # Changing this list forks the note type in every user's collection: never edit it, add templates instead.
    assert FIELDS == ("Question", "Answer", "OtherLangQuestion", "OtherLangAnswer", "OtherAnswers",
                      "AlsoAskedAs", "Sources", "Extra", "Id", "Spare1", "Spare2")
    assert load_rules().deck.note_type_id == 1733461720311


@pytest.mark.parametrize(("content", "message"), [
    ("junk:\n  drop_block:\n    - name: bad\n      pattern: '(unclosed'\n",
     r"user\.yaml:4: invalid regular expression"),
    ("junk:\n  drop_block:\n    - name: x\n      patern: 'y'\n", r"user\.yaml:4: unknown key 'patern'"),
    ("deck:\n  deck_name: ''\n", r"user\.yaml:2: deck_name must be a non-empty deck name"),
    ("colours: 1\n", r"user\.yaml:1: unknown key 'colours'"),
    ("junk: [\n", r"user\.yaml:2: invalid YAML"),
    ("structure:\n  numbering:\n    - name: n\n      pattern: '^\\d+'\n", r"user\.yaml:3: .*\(\?P<num>"),
])
def test_broken_rules_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    user = tmp_path / "user.yaml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_rules(user)


def test_build_prints_a_summary_and_writes_the_package(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "page.txt").write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 0, result.output
    assert "page" in result.output and "cards: 2 new, 0 changed" in result.output
    assert (tmp_path / "decks" / "deckmill.apkg").stat().st_size > 0
    assert not list((tmp_path / "decks").glob(".*.tmp"))


def test_unusable_pages_are_skipped_with_one_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "page.txt").write_text(PAGE, encoding="utf-8")
    (raw / "empty.txt").write_text("", encoding="utf-8")
    (raw / "binary.html").write_bytes(bytes(range(256)) * 50)
    (raw / "prose.md").write_text("# Notes\n\nJust some thoughts, no questions here.\n", encoding="utf-8")
    args = ["build", "--raw", str(raw), "--out", str(tmp_path / "decks")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    assert skipped == ["skipped binary.html: binary file, not text", "skipped empty.txt: empty page",
                       "skipped prose.md: no questions found"]
    assert CliRunner().invoke(main, [*args, "--strict"]).exit_code == 1


def test_errors_are_one_line_exit_1_and_usage_errors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert CliRunner().invoke(main, ["build", "--no-such-option"]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("deck:\n  deck_name: ''\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--raw", str(tmp_path), "--config", str(bad)])
    assert result.exit_code == 1 and "bad.yaml:2:" in result.output


def test_json_report_and_stage_commands(tmp_path: Path) -> None:
    raw = copy_raw(tmp_path / "raw", "llm-common-questions-general")
    common = ["--raw", str(raw), "--out", str(tmp_path / "decks")]
    runner = CliRunner()
    clean = runner.invoke(main, ["clean", *common, "--report"])
    assert clean.exit_code == 0 and "[related-list]" in clean.output
    assert "12 questions, 12 answered" in runner.invoke(main, ["extract", *common]).output
    assert "12 cards from 12 questions" in runner.invoke(main, ["dedup", *common]).output
    result = runner.invoke(main, ["apkg", *common, "--json"])
    report = json.loads(result.output)
    assert report["sources"][0]["questions"] == 12 and len(report["new"]) == 12
    assert runner.invoke(main, ["--version"]).output.startswith("deckmill, version")
    for command in ("build", "clean", "extract", "dedup", "apkg"):
        assert "Example:" in runner.invoke(main, [command, "--help"]).output
