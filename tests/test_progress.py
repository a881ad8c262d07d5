"""Progress bars: drawn on a terminal after about a second, never into a pipe, a file or with -q; timings with -v."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.identity.ledger import load_ledger
from pipeline.progress import StageProgress, bars_wanted
from tests.conftest import copy_raw


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_start_after_the_delay_and_time_each_stage() -> None:
    clock, out = _Clock(), io.StringIO()
    progress = StageProgress(out, enabled=True, delay=1.0, clock=clock)
    progress("pages", 0, 4)
    clock.now += 0.5
    progress("pages", 1, 4)
    assert out.getvalue() == ""  # a quick run shows no bar at all
    clock.now += 0.7
    progress("pages", 2, 4)
    assert out.getvalue() == "\rpages  [" + "#" * 15 + "." * 15 + "] 2/4"
    clock.now += 0.3
    progress("pages", 4, 4)
    progress("cards", 0, 1)
    clock.now += 2.0
    progress("cards", 1, 1)
    progress.finish()
    assert out.getvalue().endswith("] 4/4\n\rcards  [" + "." * 30 + "] 0/1\rcards  [" + "#" * 30 + "] 1/1\n")
    assert progress.timings() == [("pages", 1.5), ("cards", 2.0)]


def test_bars_only_on_a_terminal_and_never_with_quiet() -> None:
    assert bars_wanted(_Terminal(), quiet=False)
    assert not bars_wanted(_Terminal(), quiet=True)
    assert not bars_wanted(io.StringIO(), quiet=False)


def test_the_cli_draws_no_bar_into_a_pipe(tmp_path: Path) -> None:
    copy_raw(tmp_path / "raw", "llm-common-questions-general", "llm-attention-basics-series-1")
    runner = CliRunner()
    verbose = runner.invoke(main, ["build", "-v"])
    assert verbose.exit_code == 0 and "\r" not in verbose.stderr and "[#" not in verbose.stderr
    assert verbose.stderr.startswith("timings: pages ") and ", cards " in verbose.stderr
    quiet = runner.invoke(main, ["build", "-q", "-v"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    as_json = runner.invoke(main, ["build", "--json"])
    cards = len(load_ledger(tmp_path / "decks" / "ledger.yaml").entries)
    assert json.loads(as_json.stdout)["unchanged"] == cards > 15 and as_json.stderr == ""
