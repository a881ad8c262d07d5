"""Benchmark: adding one page to a 200-page project, and a no-change rebuild, against a full build; prints figures."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmark import PER_PAGE, write_corpus  # scripts/ is on sys.path when this file is run

from pipeline.config import load_rules
from pipeline.session import Paths, Session


def _timed(raw: Path, out: Path) -> float:
    started = time.perf_counter()
    Session(Paths(raw, out), load_rules()).build(reuse_unchanged=True)  # as `deckmill build` does
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200, help="pages in the project (default 200)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deckmill-bench-inc-"))
    try:
        pages = write_corpus(work / "all", (args.pages + 1) * PER_PAGE, seed=11)
        raw = work / "raw"
        raw.mkdir()
        for page in pages[:-1]:
            shutil.copy(page, raw / page.name)
        full = _timed(raw, work / "decks")
        unchanged = min(_timed(raw, work / "decks") for _ in range(2))  # the first also fills the parse cache
        shutil.copy(pages[-1], raw / pages[-1].name)
        added = _timed(raw, work / "decks")
        print(f"incremental x{args.pages}: full build {full:.2f}s | add one page {added:.2f}s "
              f"({100 * added / full:.0f}% of full; target <= 25%) | no-change rebuild {unchanged:.2f}s "
              f"({100 * unchanged / full:.0f}% of full; target <= 10%)")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
