"""The cyclic garbage collector paused over stages that make a great many objects and no reference cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Collection passes over a large heap cost more than the work itself (tens of thousands of cards or keys
    alive at once); what this code allocates is freed by reference counting. The collector's state is restored."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
