"""Measuring a rendered MP4 with the ffmpeg binary alone (the wheel ships no ffprobe): the header that
`ffmpeg -i` prints, plus decoding, which counts frames and samples exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seedance_studio.mediatools.ffmpeg import run_ffmpeg

SAMPLE_RATE = 48_000


@dataclass(frozen=True)
class Measured:
    width: int
    height: int
    video_codec: str
    fps: float
    container_seconds: float
    audio_codec: str | None


def measure(path: Path) -> Measured:
    header = run_ffmpeg(["-i", str(path)], timeout=30, check=False).stderr.decode("utf-8", "replace")
    video = re.search(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5}).*?, ([\d.]+) fps", header)
    audio = re.search(r"Stream #\S+.*?: Audio: (\w+)", header)
    duration = re.search(r"Duration: (\d+):(\d+):([\d.]+)", header)
    assert video and duration, header
    hours, minutes, seconds = duration.groups()
    return Measured(
        width=int(video.group(2)),
        height=int(video.group(3)),
        video_codec=video.group(1),
        fps=float(video.group(4)),
        container_seconds=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        audio_codec=audio.group(1) if audio else None,
    )


def frame_colours(path: Path) -> list[tuple[float, float, float]]:
    """The mean RGB colour of every decoded frame, in order (so len() is the exact frame count)."""
    raw = run_ffmpeg(
        ["-i", str(path), "-map", "0:v", "-vf", "scale=8:8:flags=area", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
        timeout=60,
    ).stdout
    frame = 8 * 8 * 3
    means = []
    for start in range(0, len(raw), frame):
        pixels = raw[start : start + frame]
        means.append(tuple(sum(pixels[channel::3]) / 64 for channel in range(3)))
    return means


def edge_positions(path: Path, row: int) -> list[float]:
    """Where the first dark-to-light edge from the left sits on one row of each frame, to a fraction of a pixel
    (the count of dark pixels before it, with partly lit pixels counting in part)."""
    width = measure(path).width // 2
    raw = run_ffmpeg(
        ["-i", str(path), "-vf", f"format=gray,crop={width}:1:0:{row}", "-f", "rawvideo", "-"], timeout=60
    ).stdout
    return [width - sum(raw[start : start + width]) / 255 for start in range(0, len(raw), width)]


def first_frame(path: Path, out: Path) -> Path:
    run_ffmpeg(["-y", "-i", str(path), "-frames:v", "1", str(out)], timeout=30)
    return out


def audio_samples(path: Path) -> int:
    raw = run_ffmpeg(
        ["-i", str(path), "-map", "0:a", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-"], timeout=60
    ).stdout
    return len(raw) // 2


def mean_volume_db(path: Path) -> float:
    report = run_ffmpeg(
        ["-i", str(path), "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"], timeout=60
    ).stderr.decode()
    return float(re.search(r"mean_volume: (-?[\d.]+|-inf) dB", report).group(1))


def distance(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5
