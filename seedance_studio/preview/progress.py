"""Run an ffmpeg command that writes `-progress pipe:1`, turning its `out_time` into fractions of the clip.

The callback runs in the caller's thread (no reader thread), so it may touch the caller's database connection.
stderr goes to a temporary file rather than a pipe, so a chatty ffmpeg can never block on a full pipe.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from seedance_studio.mediatools.ffmpeg import FfmpegError

ProgressCallback = Callable[[float], None]


def progress_command(ffmpeg_binary: str) -> list[str]:
    """The start of an ffmpeg command whose progress `run_with_progress` reads: quiet but for errors, never
    waiting for input, and a `-progress` report on stdout four times a second."""
    return [
        ffmpeg_binary,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
        "-stats_period",
        "0.25",
    ]


# ffmpeg is asked for a report every 0.25 s; a few calls a second is plenty for a progress bar.
MIN_INTERVAL = 0.25


def render_to(
    output_path: Path,
    command_for: Callable[[Path], Sequence[str]],
    *,
    clip_seconds: float,
    timeout: float,
    what: str,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Run the ffmpeg command `command_for(partial)`, which writes a video to a partial file beside `output_path`;
    the video takes its place only once complete (nobody ever plays half of one), and the partial file goes
    whatever happens. `what` names the video in a timeout's message ("The preview"). `on_progress` gets the
    fraction written so far, rising, and 1.0 once the video is in place."""
    output_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial_name = tempfile.mkstemp(
        prefix=f".{output_path.stem}-", suffix=".part.mp4", dir=output_path.parent
    )
    os.close(descriptor)
    partial = Path(partial_name)
    try:
        if timeout <= 0:
            raise FfmpegError(f"{what} took too long and was stopped.")
        run_with_progress(
            command_for(partial), clip_seconds=clip_seconds, timeout=timeout, what=what, on_progress=on_progress
        )
        os.replace(partial, output_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if on_progress is not None:
        on_progress(1.0)


def run_with_progress(
    command: Sequence[str],
    *,
    clip_seconds: float,
    timeout: float,
    what: str = "The video",
    on_progress: ProgressCallback | None = None,
) -> None:
    """Run to completion or raise FfmpegError (failure or timeout; ffmpeg is killed). Reports rise
    monotonically and stop short of 1.0, which is the caller's to send once the result is in place."""
    report = _Throttled(on_progress)
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(list(command), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr)
        try:
            for seconds in _out_times(process, deadline):
                report(seconds / clip_seconds)
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except (TimeoutError, subprocess.TimeoutExpired):
            raise FfmpegError(f"{what} took longer than {timeout:.0f} s and was stopped.", _tail(stderr)) from None
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:  # always: it was opened with stdout=PIPE
                process.stdout.close()
        if process.returncode != 0:
            raise FfmpegError(f"ffmpeg exited with status {process.returncode}", _tail(stderr))


def _out_times(process: subprocess.Popen, deadline: float) -> Iterator[float]:
    """Seconds of output written so far, from each progress block; raises TimeoutError past the deadline."""
    assert process.stdout is not None  # opened with stdout=PIPE
    fd = process.stdout.fileno()
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not selector.select(timeout=min(remaining, 1.0)):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                key, _, value = line.strip().partition(b"=")
                # out_time_us is microseconds; it reads "N/A" until the first frame is out.
                if key == b"out_time_us" and value.lstrip(b"-").isdigit():
                    yield max(0, int(value)) / 1_000_000


class _Throttled:
    def __init__(self, callback: ProgressCallback | None):
        self.callback = callback
        self.last_value = 0.0
        self.last_time = float("-inf")

    def __call__(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 0.99)
        now = time.monotonic()
        if self.callback is None or fraction <= self.last_value or now - self.last_time < MIN_INTERVAL:
            return
        self.last_value, self.last_time = fraction, now
        self.callback(fraction)


def _tail(stderr, lines: int = 15) -> str:
    stderr.seek(0)
    return "\n".join(stderr.read().decode("utf-8", "replace").strip().splitlines()[-lines:])
