"""The cyclic garbage collector paused, or made to run rarely, over stages that make a great many objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RARE_THRESHOLD = 10_000  # allocations between young collections (Python's default is 700)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No collection at all: for a load that makes a great many objects and no garbage. The state is restored."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def rare_gc() -> Iterator[None]:
    """Collections ~14x rarer: with tens of thousands of cards or keys alive at once, frequent passes over the
    older generations cost more than the work; the few cycles made (JSON's indenting encoder makes one a call)
    are still freed. The thresholds are restored."""
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, RARE_THRESHOLD), *older)
    try:
        yield
    finally:
        gc.set_threshold(young, *older)


_settling = [0]  # how many settled_gc blocks are open


@contextmanager
def settled_gc() -> Iterator[None]:
    """Collections ~14x rarer, and what is alive when `settle` is called (pages read, the ledger) set aside from
    them: a build's long-lived objects are never walked again by each collection. Everything is given back to the
    collector at the end (a library caller's later garbage is still freed)."""
    with rare_gc():
        _settling[0] += 1
        try:
            yield
        finally:
            _settling[0] -= 1
            if not _settling[0]:
                gc.unfreeze()


def settle() -> None:
    """Set aside what is alive now from later collections, until `settled_gc` ends (outside one: nothing, so
    nothing is set aside for good). Cheap: call it after each stage that leaves many objects alive."""
    if _settling[0]:
        gc.freeze()
