"""How long a creative waited here for a video like this one: the compare view's "expected wait".

The compare view runs as the creative types, beside the live check, and must cost no query of its own. The
wait history changes slowly (a few jobs an hour end), so each process keeps the whole table in memory and
reloads it, in one query, at most every WAIT_HISTORY_SECONDS: the one request that finds it stale pays that
query, every other request pays none. A per-process table rather than Django's cache: the cache may be a
database or a server in other deployments (a round trip per request again), and the table is small (one row per
provider, tier and duration that has history).

The wait is what a creative lives through, from submitting to a playable video (created_at to finished_at),
the median of this studio's succeeded jobs of the same provider, tier and duration over RUN_TIME_HISTORY_DAYS.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from seedance_studio.studio.models import Job
from seedance_studio.studio.models.job import EpochSeconds, medians_by_shape

WAIT_HISTORY_SECONDS = 60
WAIT_SHAPE = ("provider", "composition__tier", "composition__duration")


@dataclass(frozen=True)
class Wait:
    seconds: float
    similar_jobs: int


class _Table:
    def __init__(self) -> None:
        self.waits: dict[tuple[str, str, int], Wait] = {}
        self.loaded_at = float("-inf")
        self.lock = threading.Lock()


_table = _Table()


def typical_waits(*, now: float | None = None) -> dict[tuple[str, str, int], Wait]:
    """{(provider, tier, duration): median wait} for every shape with history; reloaded at most every
    WAIT_HISTORY_SECONDS per process (one query), else from memory (none)."""
    now = time.monotonic() if now is None else now
    if now - _table.loaded_at < WAIT_HISTORY_SECONDS:
        return _table.waits
    with _table.lock:  # one thread reloads; the others keep reading the old table meanwhile
        if now - _table.loaded_at >= WAIT_HISTORY_SECONDS:
            _table.waits = _load()
            _table.loaded_at = now
    return _table.waits


def forget() -> None:
    """Reload on the next read (tests, and an admin command that wants fresh numbers)."""
    _table.loaded_at = float("-inf")


def _load() -> dict[tuple[str, str, int], Wait]:
    """One query: the median wait of each shape's recent renders."""
    medians = medians_by_shape(
        Job.objects.recent_renders(), WAIT_SHAPE, EpochSeconds("finished_at") - EpochSeconds("created_at")
    )
    return {shape: Wait(max(0.0, seconds), similar) for shape, (seconds, similar) in medians.items()}
