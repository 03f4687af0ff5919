"""Time the tests control: emulated tasks move on when the clock is advanced, never by sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable


class Clock:
    """A manual clock. `sleep` advances it, so it can stand in for the HTTP layer's sleep: a Retry-After wait
    then moves emulated time on, and `sleeps` records what was asked for."""

    def __init__(self, start: float = 1_767_225_600.0):  # 2026-01-01T00:00:00Z
        self._now = float(start)
        self._listeners: list[Callable[[], None]] = []
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
        for listener in list(self._listeners):
            listener()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def on_advance(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)


class SystemClock:
    """Wall-clock time, for the emulator served by the management command."""

    sleeps: list[float] = []

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def on_advance(self, listener: Callable[[], None]) -> None:
        pass  # nothing advances it by hand; the server ticks instead
