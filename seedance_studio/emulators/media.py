"""The result files the emulators serve: real, small MP4s (and JPEG frames) made once with ffmpeg.

Cached in memory and on disk (keyed by everything that shapes the file), so a test run pays for each shape
once and later runs pay nothing.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from pathlib import Path

from ..mediatools.ffmpeg import run_ffmpeg

CACHE_DIR = Path(os.environ.get("EMULATOR_MEDIA_CACHE", Path(tempfile.gettempdir()) / "seedance-emulator-media"))
# Small frames with the requested shape: enough to probe, play and extract frames from, cheap to make.
SIZES = {
    "16:9": (320, 180),
    "9:16": (180, 320),
    "1:1": (240, 240),
    "4:3": (240, 180),
    "3:4": (180, 240),
    "21:9": (336, 144),
}
_lock = threading.Lock()


def size_for(aspect_ratio: str | None) -> tuple[int, int]:
    return SIZES.get(aspect_ratio or "", SIZES["16:9"])


@functools.cache
def result_video(seconds: int, width: int, height: int, audio: bool = True) -> bytes:
    path = CACHE_DIR / f"result-{seconds}s-{width}x{height}-{'a' if audio else 'na'}.mp4"
    args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=24:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    return _cached(path, args)


@functools.cache
def frame(seconds: int, width: int, height: int, which: str) -> bytes:
    """The first or last frame of the matching result video, as JPEG."""
    video = CACHE_DIR / f"result-{seconds}s-{width}x{height}-na.mp4"
    if not video.exists():
        result_video(seconds, width, height, False)
    seek = ["-sseof", "-0.1"] if which == "last" else []
    path = CACHE_DIR / f"frame-{which}-{seconds}s-{width}x{height}.jpg"
    return _cached(path, [*seek, "-i", str(video), "-frames:v", "1", "-q:v", "4"])


def _cached(path: Path, args: list[str]) -> bytes:
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.part{path.suffix}")
            run_ffmpeg(["-y", *args, str(partial)], timeout=60)
            os.replace(partial, path)  # atomic, so parallel test runs never read half a file
        return path.read_bytes()
