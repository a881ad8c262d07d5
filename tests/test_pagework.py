"""The per-page stages in worker processes give the same files, sources, skips and progress as one process."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

import pipeline.pagework
from pipeline.config import load_rules
from pipeline.errors import ConfigError, DeckmillError
from pipeline.session import Paths, Session
from tests.conftest import NOW, SEEDS_DIR, copy_raw
from tests.test_incremental import _outputs

SEEDS = sorted({p.name.split(".")[0] for p in SEEDS_DIR.glob("*.txt")})


def _raw(dest: Path) -> Path:
    raw = copy_raw(dest, *SEEDS)
    (raw / "aa-empty.txt").write_text("\n\n", encoding="utf-8")  # skipped: empty page
    (raw / "zz-no-questions.txt").write_text("Just a note about my weekend.\nNothing to ask here.\n", encoding="utf-8")
    return raw


def _build(tmp_path: Path, name: str, workers: int) -> tuple[Session, list[tuple[str, int, int]]]:
    session = Session(Paths(_raw(tmp_path / name / "raw"), tmp_path / name / "decks"), load_rules(), now=NOW)
    session.workers = workers
    ticks: list[tuple[str, int, int]] = []
    session.progress = lambda stage, done, total: ticks.append((stage, done, total))
    report = session.build()
    assert len(report.rebuilt) == len(SEEDS)
    return session, [t for t in ticks if t[0] == "pages"]


def test_worker_processes_build_the_same_bytes_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.pagework, "POOL_MIN_PAGES", 2)  # so the few seed pages go through the pool
    pids = tmp_path / "pids"
    build_page = pipeline.pagework.build_page

    def noting_pid(*args: Any) -> Any:
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return build_page(*args)

    monkeypatch.setattr(pipeline.pagework, "build_page", noting_pid)  # forked workers inherit it
    pooled, pooled_ticks = _build(tmp_path, "pooled", workers=2)
    pooled_pids = set(pids.read_text().split())
    assert pooled_pids and str(os.getpid()) not in pooled_pids  # every page was built in a worker
    alone, alone_ticks = _build(tmp_path, "alone", workers=1)
    mine, theirs = _outputs(tmp_path / "pooled" / "decks"), _outputs(tmp_path / "alone" / "decks")
    assert len(mine) > 2 * len(SEEDS) and mine.keys() == theirs.keys()
    assert [name for name in mine if mine[name] != theirs[name]] == []
    assert pooled.skipped == alone.skipped == [("aa-empty.txt", "empty page"),
                                               ("zz-no-questions.txt", "no questions found")]
    total = len(SEEDS) + 2
    assert pooled_ticks == alone_ticks
    assert pooled_ticks[0] == ("pages", 0, total) and pooled_ticks[-1] == ("pages", total, total)
    assert [done for _, done, _ in pooled_ticks] == sorted(done for _, done, _ in pooled_ticks)


def test_a_broken_meta_file_read_in_a_worker_is_the_same_one_line_error(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.pagework, "POOL_MIN_PAGES", 2)
    raw = _raw(tmp_path / "raw")
    shutil.copy(raw / f"{SEEDS[0]}.txt", raw / "broken.txt")
    (raw / "broken.meta.yaml").write_text("title: T\ncolour: red\n", encoding="utf-8")
    session = Session(Paths(raw, tmp_path / "decks"), load_rules(), now=NOW)
    session.workers = 2
    with pytest.raises(ConfigError, match=r"broken\.meta\.yaml:2: unknown key 'colour'") as caught:
        session.build()
    assert caught.value.line == 2 and caught.value.path.endswith("broken.meta.yaml")


def test_a_worker_that_dies_stops_the_build_with_one_line_instead_of_a_hang(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.pagework, "POOL_MIN_PAGES", 2)
    raw = _raw(tmp_path / "raw")
    real = pipeline.pagework.build_page

    def dies_on_one_page(path: Path, *rest: Any) -> Any:
        if path.name == f"{SEEDS[0]}.txt":
            os._exit(9)  # as the out-of-memory killer would end it
        return real(path, *rest)

    monkeypatch.setattr(pipeline.pagework, "build_page", dies_on_one_page)  # workers are forked: they see it
    session = Session(Paths(raw, tmp_path / "decks"), load_rules(), now=NOW)
    session.workers = 2
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the build hung on a dead worker"))
    signal.alarm(60)
    try:
        with pytest.raises(DeckmillError, match="worker process building pages stopped unexpectedly"):
            session.build()
    finally:
        signal.alarm(0)
