"""Where ffmpeg lives, and the one way the studio runs it.

The system's ffmpeg is preferred when one is installed (the Docker image ships Debian's, which gets security
updates with the OS); otherwise the binary shipped in the imageio-ffmpeg wheel is used, so a newcomer needs
nothing beyond Python. `FFMPEG_BINARY` pins an explicit path.

There is no ffprobe in that wheel, so probing parses what `ffmpeg -i` reports (see probe.py): one code path
whichever binary is in use.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence


class FfmpegError(RuntimeError):
    """ffmpeg failed, timed out, or could not be found. `stderr_tail` is kept for logs, never shown as-is."""

    def __init__(self, message: str, stderr_tail: str = ""):
        super().__init__(message)
        self.stderr_tail = stderr_tail


@functools.cache
def ffmpeg_path() -> str:
    explicit = os.environ.get("FFMPEG_BINARY")
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise FfmpegError(f"FFMPEG_BINARY={explicit!r} is not an executable file.")
        return explicit
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


# Inputs are only ever local files: no network protocol, no "concat:"/"subfile:" tricks that open other paths.
SAFE_INPUT_OPTIONS = ("-protocol_whitelist", "file")


def run_ffmpeg(args: Sequence[str], *, timeout: float, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with an argument list (never a shell), no stdin, and a hard timeout."""
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", *args]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise FfmpegError(f"ffmpeg took longer than {timeout:.0f} s", _tail(exc.stderr)) from None
    if check and completed.returncode != 0:
        raise FfmpegError(f"ffmpeg exited with status {completed.returncode}", _tail(completed.stderr))
    return completed


def _tail(stderr: bytes | None, lines: int = 15) -> str:
    if not stderr:
        return ""
    return "\n".join(stderr.decode("utf-8", "replace").strip().splitlines()[-lines:])
