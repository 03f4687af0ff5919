"""Where ffmpeg lives, and the one way the studio runs it.

The system's ffmpeg is preferred when one is installed (the Docker image ships Debian's, which gets security
updates with the OS); otherwise the binary shipped in the imageio-ffmpeg wheel is used, so a newcomer needs
nothing beyond Python. `use_ffmpeg(path)` pins an explicit binary: the studio calls it at startup with
settings.FFMPEG_BINARY (see apps.py); a script without Django may call it itself. mediatools never reads
Django's settings nor the environment, so the preview renderer and the emulators run without either.

Probing does not go through ffmpeg's printed report any more: probe.py reads media with PyAV in a subprocess.
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


_explicit_binary: str | None = None


def use_ffmpeg(binary: str | os.PathLike[str] | None) -> None:
    """Run this ffmpeg from now on; None (or "") goes back to the system's, else the bundled one.

    The path is checked when ffmpeg is next needed, so a wrong one fails the first render or extraction with an
    FfmpegError that names it, as a missing ffmpeg would.
    """
    global _explicit_binary
    _explicit_binary = os.fspath(binary) if binary else None
    ffmpeg_path.cache_clear()


@functools.cache
def ffmpeg_path() -> str:
    if _explicit_binary:
        if not (os.path.isfile(_explicit_binary) and os.access(_explicit_binary, os.X_OK)):
            raise FfmpegError(f"FFMPEG_BINARY={_explicit_binary!r} is not an executable file.")
        return _explicit_binary
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: Sequence[str], *, timeout: float, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with an argument list (never a shell), no stdin, and a hard timeout."""
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", *args]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise FfmpegError(f"ffmpeg took longer than {timeout:.0f} s", stderr_tail(exc.stderr)) from None
    if check and completed.returncode != 0:
        raise FfmpegError(f"ffmpeg exited with status {completed.returncode}", stderr_tail(completed.stderr))
    return completed


def stderr_tail(stderr: bytes | None, lines: int = 15) -> str:
    """The last lines a tool printed, for a log line."""
    if not stderr:
        return ""
    return "\n".join(stderr.decode("utf-8", "replace").strip().splitlines()[-lines:])
