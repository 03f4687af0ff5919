"""Join a chain of shots into one film: the ffmpeg command, and running it with real progress. No Django.

Shots of one chain usually match, but need not: a continued shot may use another ratio, resolution or provider,
and some shots have sound while others have none. ffmpeg's concat filter needs every segment alike, so each shot
is first brought to the first shot's picture size (scaled to fit, letterboxed, never cropped), 24 fps, square
pixels and yuv420p, and to 48 kHz stereo sound (silence for a shot without any), cut to exactly its own length.
The film is therefore as long as its shots together, to within a frame each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from seedance_studio.mediatools.ffmpeg import FfmpegError, ffmpeg_path

from .graph import SAMPLE_RATE
from .progress import ProgressCallback, progress_command, render_to
from .request import FPS


@dataclass(frozen=True)
class Shot:
    """One shot's video file and its probed facts."""

    path: Path
    duration: float
    has_audio: bool

    @property
    def frames(self) -> int:
        return max(1, round(self.duration * FPS))


@dataclass(frozen=True)
class Film:
    width: int
    height: int
    duration: float


def film_duration(shots: Sequence[Shot]) -> float:
    """What the joined film lasts: each shot cut to whole frames at 24 fps."""
    return sum(shot.frames for shot in shots) / FPS


def build_concat_command(ffmpeg_binary: str, shots: Sequence[Shot], size: tuple[int, int], output: Path) -> list[str]:
    if not shots:
        raise ValueError("a film needs at least one shot")
    width, height = _even(size[0]), _even(size[1])
    parts = []
    for shot in shots:
        parts.extend([_picture(shot, width, height), _sound(shot)])
    joined = ffmpeg.concat(*parts, v=1, a=1).node
    video, audio = joined[0], joined[1]
    command = progress_command(ffmpeg_binary)
    return ffmpeg.output(
        video,
        audio,
        str(output),
        **{
            "c:v": "libx264",
            "preset": "veryfast",
            "crf": 20,
            "pix_fmt": "yuv420p",
            "profile:v": "high",
            "r": FPS,
            "c:a": "aac",
            "b:a": "160k",
            "ar": SAMPLE_RATE,
            "ac": 2,
            "movflags": "+faststart",
            "f": "mp4",
        },
    ).compile(cmd=command)


def join_shots(
    shots: Sequence[Shot],
    size: tuple[int, int],
    output_path: Path,
    *,
    timeout: float,
    on_progress: ProgressCallback | None = None,
) -> Film:
    """Render the film to `output_path` (it appears only once complete); raises FfmpegError. `on_progress` gets
    the fraction of the film written so far, rising, and 1.0 once it is in place."""
    duration = film_duration(shots)
    render_to(
        Path(output_path),
        lambda partial: build_concat_command(ffmpeg_path(), shots, size, partial),
        clip_seconds=duration,
        timeout=timeout,
        what="The chain export",
        on_progress=on_progress,
    )
    return Film(width=_even(size[0]), height=_even(size[1]), duration=duration)


def _even(value: int) -> int:
    """H.264 in yuv420p needs even sides."""
    if value < 2:
        raise FfmpegError(f"A film cannot be {value} pixels wide or high.")
    return value - value % 2


def _input(shot: Shot):
    # Shots are the studio's own kept MP4s, read by the mp4 demuxer from a local file and nothing else.
    return ffmpeg.input(str(shot.path), protocol_whitelist="file", format_whitelist="mov,mp4")


def _picture(shot: Shot, width: int, height: int):
    return (
        _input(shot)
        .video.filter("fps", FPS)
        .filter(
            "scale", width, height, force_original_aspect_ratio="decrease", out_color_matrix="bt709", out_range="tv"
        )
        .filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2", color="black")
        .filter("setsar", 1)
        .filter("format", "yuv420p")
        # A picture stream a little shorter than the file holds its last frame, so the shot keeps its length.
        .filter("tpad", stop=-1, stop_mode="clone")
        .filter("trim", end_frame=shot.frames)
        .filter("setpts", f"N/({FPS}*TB)")
    )


def _sound(shot: Shot):
    samples = round(shot.frames / FPS * SAMPLE_RATE)
    if shot.has_audio:
        audio = _input(shot).audio
    else:
        audio = ffmpeg.input(f"anullsrc=r={SAMPLE_RATE}:cl=stereo", f="lavfi", t=f"{shot.frames / FPS:.3f}").audio
    return (
        audio.filter("aresample", SAMPLE_RATE)
        .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
        .filter("apad", whole_len=samples)
        .filter("atrim", end_sample=samples)
        .filter("asetpts", "N/SR/TB")
    )
