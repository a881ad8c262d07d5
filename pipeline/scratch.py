"""A scratch copy of a project (raw pages, stage files, ledger, overrides) to build into without touching it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.session import Paths

# What of out/ a scratch build needs: stage files (so unchanged pages are not redone), identity, decisions.
_OUT_DIRS = ("clean", "yaml", ".cache")
_OUT_FILES = ("ledger.yaml", "overrides.yaml", "merged.yaml")


def _copy(paths: Paths, scratch: Path) -> Paths:
    raw, out = scratch / "raw", scratch / "decks"
    raw.mkdir(parents=True)
    out.mkdir(parents=True)
    if paths.raw.is_dir():
        for path in paths.raw.iterdir():
            if path.is_file():
                shutil.copy2(path, raw / path.name)
            elif path.is_dir():  # a browser-saved page's images
                shutil.copytree(path, raw / path.name)
    for name in _OUT_DIRS:
        if (paths.out / name).is_dir():
            shutil.copytree(paths.out / name, out / name)
    for name in _OUT_FILES:
        if (paths.out / name).is_file():
            shutil.copy2(paths.out / name, out / name)
    return Paths(raw, out)


@contextmanager
def scratch_copy(paths: Paths) -> Iterator[Paths]:
    """Paths of a temporary copy of the project; removed on exit. The real raw/ and out/ are only read."""
    with tempfile.TemporaryDirectory(prefix="deckmill-scratch-") as tmp:
        yield _copy(paths, Path(tmp))
