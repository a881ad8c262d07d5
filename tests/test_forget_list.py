"""`deckmill forget` (overrides.yaml edited in place; a re-import never revives the card), `list` and `show`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.identity.ledger import load_ledger
from pipeline.overrides import load_overrides
from tests.conftest import NOW, copy_raw, session_for

SEEDS = ("llm-common-questions-general", "llm-attention-basics-series-1")
OVERRIDES = """\
# my decisions, reviewed every month
corrections:
  # a typo on the page
  dm-0000000001:
    question: 什么是 LoRA?
never_emit:
  - dm-0000000002  # deleted in March
keep_apart: []
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    copy_raw(tmp_path / "raw", *SEEDS)
    (tmp_path / "deckmill.yaml").write_text("# settings\n", encoding="utf-8")
    session_for(tmp_path, tmp_path / "raw").build()
    return tmp_path


def _card_asking(project: Path, text: str) -> str:
    return next(c for c, e in load_ledger(project / "decks" / "ledger.yaml").entries.items()
                if text in e.content.question)


def test_forget_keeps_the_files_comments_and_order(project: Path) -> None:
    overrides = project / "decks" / "overrides.yaml"
    overrides.write_text(OVERRIDES, encoding="utf-8")
    card = _card_asking(project, "Attention的计算步骤")
    result = CliRunner().invoke(main, ["forget", card, card])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"forgot {card}\n")
    text = overrides.read_text(encoding="utf-8")
    assert text.startswith(OVERRIDES.split("keep_apart")[0].rstrip("\n").rsplit("\n", 1)[0])
    assert "# a typo on the page" in text and "dm-0000000002  # deleted in March" in text
    assert text.index("corrections") < text.index("never_emit") < text.index(card) < text.index("keep_apart")
    assert load_overrides(overrides).never_emit == {"dm-0000000002", card}
    again = CliRunner().invoke(main, ["forget", card])
    assert again.output == f"{card} was already forgotten\n" and overrides.read_text(encoding="utf-8") == text


def test_an_unknown_id_is_an_error_and_writes_nothing(project: Path) -> None:
    result = CliRunner().invoke(main, ["forget", "dm-nope"])
    assert result.exit_code == 1 and "unknown card id dm-nope" in result.output
    assert not (project / "decks" / "overrides.yaml").exists()


def test_forget_retired_records_every_retired_card(project: Path) -> None:
    only_there = [c for c, e in load_ledger(project / "decks" / "ledger.yaml").entries.items()
                  if all(m.startswith("llm-attention-basics-series-1/") for m in e.members)]
    (project / "raw" / "llm-attention-basics-series-1.txt").unlink()
    session_for(project, project / "raw", NOW + 10).build()
    retired = [c for c, e in load_ledger(project / "decks" / "ledger.yaml").entries.items() if e.retired]
    assert sorted(retired) == sorted(only_there) and len(retired) >= 6
    result = CliRunner().invoke(main, ["forget", "--retired"])
    assert result.exit_code == 0 and result.output.count("forgot ") == len(retired)
    assert load_overrides(project / "decks" / "overrides.yaml").never_emit == set(retired)


def test_list_and_show(project: Path) -> None:
    runner = CliRunner()
    card = _card_asking(project, "padding位做mask")
    other = _card_asking(project, "大模型的主要结构特点")
    listed = [line.split()[0] for line in runner.invoke(main, ["list", "Padding"]).output.splitlines()]
    assert card in listed and other not in listed
    shown = runner.invoke(main, ["show", card]).output
    assert f"{card}  (active)" in shown and "question: " in shown and "deck: LLM面试::" in shown
    assert "  llm-attention-basics-series-1" in shown
    assert runner.invoke(main, ["list", "no such words anywhere"]).output.startswith("no card matches")
    runner.invoke(main, ["forget", card])
    assert runner.invoke(main, ["list", card]).output.split()[1] == "forgotten"


def test_a_forgotten_card_never_comes_back_in_anki(project: Path) -> None:
    anki = pytest.importorskip("anki.collection")
    card = _card_asking(project, "Attention的计算步骤")
    guid = load_ledger(project / "decks" / "ledger.yaml").entries[card].guid
    col = anki.Collection(str(project / "collection.anki2"))
    try:
        def import_package() -> None:
            request = anki.ImportAnkiPackageRequest(package_path=str(project / "decks" / "deckmill.apkg"),
                                                    options=anki.ImportAnkiPackageOptions())
            col.import_anki_package(request)
            col._clear_caches()

        def with_guid() -> list[int]:
            return [n for n in col.find_notes("") if col.get_note(n).guid == guid]

        import_package()
        total = col.note_count()
        [note_id] = with_guid()
        col.remove_notes([note_id])  # the learner deletes it in Anki
        assert CliRunner().invoke(main, ["forget", card]).exit_code == 0
        session_for(project, project / "raw", NOW + 10).build()
        import_package()
        assert with_guid() == [] and col.note_count() == total - 1
    finally:
        col.close()
