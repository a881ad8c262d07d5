"""The per-page stages (clean, then extract) of many pages, in worker processes when there are enough pages to pay."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.errors import DeckmillError, SkipPage
from pipeline.extract import extract
from pipeline.models import CleanPage, SourceItems
from pipeline.sources import load_page
from pipeline.stagefiles import write_clean, write_items

# Below this many pages to rebuild, starting worker processes costs more than it saves (a page takes ~30 ms).
POOL_MIN_PAGES = 24

Skip = tuple[str, str]  # (file name, why the page was skipped)


@dataclass(frozen=True)
class PageDirs:
    """Where the per-page stages write: cleaned pages, items files, the parsed copies of items files."""

    clean: Path
    items: Path
    parsed_cache: Path | None = None


def clean_one(path: Path, rules: Rules, dirs: PageDirs) -> CleanPage | Skip:
    """Clean one raw page and write its clean file; a page that cannot be used is a Skip."""
    try:
        page = clean_page(load_page(path), rules)
    except SkipPage as exc:
        return path.name, str(exc)
    write_clean(dirs.clean / f"{page.slug}.yaml", page)
    return page


def extract_one(page: CleanPage, rules: Rules, dirs: PageDirs) -> SourceItems | Skip:
    """Extract the items of one cleaned page and write its items file; a page without questions is a Skip."""
    items = extract(page, rules)
    if not items.items:
        return page.filename, "no questions found"
    write_items(dirs.items / f"{items.slug}.yaml", items, dirs.parsed_cache)
    return items


def build_page(path: Path, rules: Rules, dirs: PageDirs) -> SourceItems | Skip:
    """Both per-page stages; only the items are kept (the cleaned page is dropped as soon as it is extracted)."""
    page = clean_one(path, rules, dirs)
    return page if isinstance(page, tuple) else extract_one(page, rules, dirs)


_worker: tuple[Rules, PageDirs] | None = None  # set once in each worker process


def _start_worker(rules: Rules, dirs: PageDirs) -> None:
    global _worker
    _worker = (rules, dirs)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build in the main process, which ends the pool
    gc.freeze()  # what the worker inherits stays put: collections never walk it (nor copy its memory pages)


def _build_in_worker(path: Path) -> SourceItems | Skip:
    assert _worker is not None
    return build_page(path, *_worker)


def default_workers() -> int:
    """Worker processes for a large rebuild: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_pages(paths: list[Path], rules: Rules, dirs: PageDirs, workers: int) -> Iterator[SourceItems | Skip]:
    """`build_page` of each path, yielded in the order of `paths`; the same results and files whether it runs here
    or in `workers` processes (used only when there are at least POOL_MIN_PAGES pages)."""
    if workers < 2 or len(paths) < POOL_MIN_PAGES:
        for path in paths:
            yield build_page(path, rules, dirs)
        return
    # fork only where it is safe and the default's predecessor (Linux); macOS and Windows start workers afresh
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    pool = ProcessPoolExecutor(min(workers, len(paths)), mp_context=context, initializer=_start_worker,
                               initargs=(rules, dirs))
    try:
        yield from pool.map(_build_in_worker, paths)
    except BrokenProcessPool as exc:  # a worker killed (out of memory, a signal): say so rather than wait forever
        raise DeckmillError(f"a worker process building pages stopped unexpectedly ({exc}); "
                            "run again, or with fewer processes") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C or an error: pages not started are not started
