"""Benchmark: build time and peak memory on the seed pages and on a synthetic corpus; prints figures."""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from pipeline.config import load_rules
from pipeline.session import Paths, Session

ROOT = Path(__file__).resolve().parent.parent


def _synthetic(raw: Path, pages: int, seed: int) -> None:
    """Pages made from the seed questions, shuffled and renumbered (many cross-page duplicates)."""
    rng = random.Random(seed)
    seeds = sorted((ROOT / "tests" / "seeds").glob("*.txt"))
    lines = [ln for p in seeds for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
    raw.mkdir(parents=True)
    for index in range(pages):
        start = rng.randrange(0, max(1, len(lines) - 200))
        chunk = lines[start : start + 200]
        (raw / f"synthetic-{index:04d}.txt").write_text("\n".join(chunk) + "\n", encoding="utf-8")


def _measure(label: str, raw: Path, out: Path) -> None:
    rules = load_rules()
    started = time.perf_counter()
    report = Session(Paths(raw, out), rules).build()
    first = time.perf_counter() - started
    started = time.perf_counter()
    Session(Paths(raw, out), rules).build()
    second = time.perf_counter() - started
    questions = sum(s.questions for s in report.sources)
    cards = len(report.new) + len(report.changed) + report.unchanged
    tracemalloc.start()
    Session(Paths(raw, out.with_name(out.name + "-mem")), rules).build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: {len(report.sources)} pages, {questions} questions, {cards} cards | "
          f"first build {first:.2f}s, unchanged rebuild {second:.2f}s, {questions / first:.0f} questions/s | "
          f"peak Python heap of a first build {peak / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200, help="synthetic pages (default 200)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deckmill-bench-"))
    try:
        _measure("seeds", ROOT / "tests" / "seeds", work / "seeds")
        _synthetic(work / "raw", args.pages, seed=7)
        _measure(f"synthetic x{args.pages}", work / "raw", work / "synthetic")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS {rss:.0f} MiB")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
