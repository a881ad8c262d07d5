"""Pickled snapshots of parsed machine-kept files (in decks/.cache/parsed), keyed by the file's bytes and deckmill's
code: an unchanged file is parsed and checked once. The file stays the only truth: a missing, stale or damaged
snapshot is a miss, never an error. Pickles: never take a cache folder from someone else."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from pipeline.cache import code_fingerprint
from pipeline.gcpause import paused_gc, settle
from pipeline.yamlio import atomic_write

# what loading a pickle that is damaged, or made by other code, can raise
UNREADABLE = (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError,
              pickle.UnpicklingError)


def snapshot_path(raw: bytes, cache_dir: Path, name: str) -> Path:
    """Where what was parsed from these bytes, by this code, is kept."""
    digest = hashlib.sha256(raw)
    digest.update(code_fingerprint().encode())  # as hashing raw + code, without a copy of a large file's bytes
    return cache_dir / f"{name}-{digest.hexdigest()[:24]}.pickle"


def load_snapshot(raw: bytes, cache_dir: Path, name: str) -> Any:
    """What was kept for these bytes, or None (the caller checks its type before trusting it)."""
    try:
        with paused_gc():  # a great many objects and no garbage
            kept = pickle.loads(snapshot_path(raw, cache_dir, name).read_bytes())
            settle()  # in a build: set aside before any collection walks it
    except UNREADABLE:
        return None
    return kept


def keep_snapshot(raw: bytes, value: Any, cache_dir: Path, name: str) -> None:
    """Keep `value` as what these bytes parse to; older snapshots of the same name go."""
    target = snapshot_path(raw, cache_dir, name)
    for old in cache_dir.glob(f"{name}-*.pickle"):
        if old != target:
            old.unlink(missing_ok=True)

    def write(tmp: Path) -> None:
        with tmp.open("wb") as out:  # streamed: a large value's pickle is never held whole in memory
            pickle.dump(value, out, pickle.HIGHEST_PROTOCOL)

    atomic_write(target, write)
