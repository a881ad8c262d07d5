"""Progress bars per build stage on a terminal's stderr (for the CLI), and how long each stage took."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30


def bars_wanted(stream: TextIO, quiet: bool) -> bool:
    """Bars only for a person watching: stderr is a terminal and -q was not given."""
    return not quiet and stream.isatty()


class StageProgress:
    """A Session progress hook: draws a bar per stage once the run has taken `delay` seconds; times each stage."""

    def __init__(self, stream: TextIO, enabled: bool, delay: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.enabled = enabled
        self.delay = delay
        self.clock = clock
        self.start = clock()
        self.spans: dict[str, list[float]] = {}  # stage -> [first tick, last tick]
        self.current = ""
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self.current:
            if self.current:
                self.spans[self.current][1] = now
                self._end_line()
            self.current = stage
            self.spans.setdefault(stage, [now, now])
        self.spans[stage][1] = now
        if self.enabled and now - self.start >= self.delay:
            filled = WIDTH * done // total if total else WIDTH
            self.stream.write(f"\r{stage:<6} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}")
            self.stream.flush()
            self.drawn = True
            if done >= total:
                self._end_line()

    def _end_line(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    def finish(self) -> None:
        """Close the last bar (a run may end mid-stage on an error)."""
        if self.current:
            self.spans[self.current][1] = self.clock()
        self._end_line()

    def timings(self) -> list[tuple[str, float]]:
        return [(stage, end - begin) for stage, (begin, end) in self.spans.items()]


def timings_line(progress: StageProgress) -> str:
    parts = [f"{stage} {seconds:.2f} s" for stage, seconds in progress.timings()]
    return f"timings: {', '.join(parts)}" if parts else ""
