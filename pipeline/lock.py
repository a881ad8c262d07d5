"""One build at a time per output folder: an advisory lock file that the OS releases if the process dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import DeckmillError

LOCK_NAME = ".deckmill.lock"


class Busy(DeckmillError):
    """Another deckmill run holds the project's lock."""


@contextmanager
def project_lock(out: Path) -> Iterator[None]:
    """Hold `out/.deckmill.lock` for the duration; a second run stops at once with a clear message."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise Busy(f"{out}: another deckmill run is using this folder ({holder}); wait for it to finish") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
