"""`deckmill inspect PAGE`: the chosen signature and runner-up, questions, junk, findings; nothing written."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import FIXTURES


def test_inspect_shows_signature_questions_junk_and_findings(tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# 10 Interview Questions\n\nBy a blogger.\n\n## 1. What is A?\n\nA is a letter.\n\n"
                    "## 2. What is B?\n\nB follows A.\n\n## 4. What is D?\n\nD follows C.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", str(page), "--blocks"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "signature: h2 headings - 3 blocks, 3 read as questions, 100% followed by an answer" in out
    assert "runner-up: h1 headings" in out
    assert "questions (3, 3 answered):" in out and "What is D?" in out
    assert "[preamble] By a blogger." in out and "[page-title] 10 Interview Questions" in out
    assert "numbering-gap: 2 is followed by 4: 3 missing «What is B?»" in out
    assert "fewer-than-promised: the title promises 10 questions; 3 found" in out
    assert "▶ L5" in out and "question" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]  # nothing written beside the page


def test_inspect_body_signature_page() -> None:
    result = CliRunner().invoke(main, ["inspect", str(FIXTURES / "signature-bold-q-paragraphs.md")])
    assert result.exit_code == 0, result.output
    assert "signature: para blocks (question-word) - 3 blocks" in result.output
    assert "runner-up: h3 headings" in result.output


def test_inspect_missing_page_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "nope.md")])
    assert result.exit_code == 2 and "does not exist" in result.output
