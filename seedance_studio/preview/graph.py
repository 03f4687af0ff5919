"""The ffmpeg command for a planned preview.

The filter graph is built with ffmpeg-python rather than joined by hand: it names and maps the streams of a
graph whose shape depends on the references, and escapes every filter argument (the motion expressions are
full of commas and parentheses). It is only a builder: `.compile()` gives an argument list that the caller
runs itself, with a timeout and progress. Global options go in front, because ffmpeg may ignore options that
trail the output file, which is where ffmpeg-python would put them.

Timing is exact by construction: every segment is cut to a whole number of frames at 24 fps, frame
timestamps are rewritten from the frame number, and the audio is padded and trimmed to the sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import ffmpeg

from .plan import FIRST_LAST, Plan, Segment
from .progress import progress_command
from .request import FPS, PreviewRequest

SAMPLE_RATE = 48_000
# Inputs are local files of the kinds the studio accepts, read by the demuxers those kinds need and no other,
# so a renamed playlist or concat list cannot make ffmpeg open anything else.
_DEMUXERS = {"image": "image2,png_pipe", "video": "mov,mp4", "audio": "mp3,wav"}
_ENCODE = {
    "c:v": "libx264",
    "preset": "veryfast",
    "crf": 22,
    "pix_fmt": "yuv420p",
    "profile:v": "high",
    "r": FPS,
    "movflags": "+faststart",
    "f": "mp4",
}
_ENCODE_AUDIO = {"c:a": "aac", "b:a": "128k", "ar": SAMPLE_RATE, "ac": 2}


def build_command(
    ffmpeg_binary: str,
    request: PreviewRequest,
    plan: Plan,
    stills: Sequence[Path | None],
    badge: Path,
    margin: int,
    output: Path,
    *,
    caption: Path | None = None,
) -> list[str]:
    """`stills[i]` is the picture for segment i at its canvas size (None for a video segment). `caption`: a band
    as wide as the frame, laid along its bottom edge."""
    size = request.size
    segments = []
    for segment, still in zip(plan.segments, stills, strict=True):
        if still is not None:
            segments.append(_still_segment(still, segment, size))
        else:
            assert segment.reference is not None  # only the title card has no reference, and it is a still
            segments.append(_video_segment(segment.reference.path, segment.frames, size))
    segments = _one_use_each(segments)
    if plan.layout == FIRST_LAST:
        fade = plan.crossfade_frames
        video = ffmpeg.filter(
            segments, "xfade", transition="fade", duration=fade / FPS, offset=(plan.segments[0].frames - fade) / FPS
        )
    elif len(segments) == 1:
        video = segments[0]
    else:
        video = ffmpeg.concat(*segments, v=1, a=0)
    if caption is not None:
        video = video.overlay(_input(caption, "image"), x=0, y="main_h-overlay_h", format="yuv420")
    video = (
        video.overlay(_input(badge, "image"), x=margin, y=margin, format="yuv420")
        # Tag what the scalers produced (BT.709, limited range), so players do not guess the colours.
        .filter("setparams", colorspace="bt709", color_primaries="bt709", color_trc="bt709", range="tv")
    )
    streams = [video]
    encode = dict(_ENCODE, t=request.duration)
    if request.has_audio:
        streams.append(_soundtrack(request))
        encode |= _ENCODE_AUDIO
    command = progress_command(ffmpeg_binary)
    return ffmpeg.output(*streams, str(output), **encode).compile(cmd=command)


def _one_use_each(streams: list) -> list:
    """ffmpeg-python merges identical nodes, so the same video cut in twice at the same share becomes one
    stream used twice, which ffmpeg refuses; such a stream is split into one copy per use."""
    copies = {}
    for stream, uses in Counter(streams).items():
        if uses > 1:
            split = stream.split()
            copies[stream] = iter([split[i] for i in range(uses)])
    return [next(copies[stream]) if stream in copies else stream for stream in streams]


def _input(path: Path, kind: str, **options):
    return ffmpeg.input(str(path), protocol_whitelist="file", format_whitelist=_DEMUXERS[kind], **options)


def _still_segment(still: Path, segment: Segment, size: tuple[int, int]):
    """A still drawn at the segment's canvas size, moving from one magnification to the other.

    zoompan crops a whole-pixel window and scales it to the frame. The jitter it is known for comes from the
    window's width and position being rounded separately (and the position to even pixels in YUV 4:2:0):
    here the window shrinks two pixels at a time and moves one, so it stays exactly centred, in RGB, and
    the picture glides by less than a pixel per step. (perspective samples sub-pixel too, but costs about
    six times as much at 1080p.)
    """
    width, height = size
    start, end = segment.zoom
    last = max(segment.frames - 1, 1)
    zoom = f"({start}+({end - start})*(1-cos(PI*on/{last}))/2)"  # eased in and out along half a cosine
    margin = f"round((iw-iw/{zoom})/2)"
    return (
        _input(still, "image", framerate=FPS)
        .video.filter("format", "rgb24")
        .filter(
            "zoompan",
            d=segment.frames,
            s=f"{width}x{height}",
            fps=FPS,
            # The +0.001 keeps iw/zoom from rounding down to one pixel short of the intended window.
            z=f"iw/(iw-2*{margin}+0.001)",
            x=margin,
            y="(ih-floor(ih/zoom))/2",
        )
        .filter("setpts", f"N/({FPS}*TB)")
        .filter("scale", out_color_matrix="bt709", out_range="tv")
        .filter("format", "yuv420p")
    )


def _video_segment(path: Path, frames: int, size: tuple[int, int]):
    width, height = size
    return (
        # Read a little past the share (start offsets, rounding) and no further.
        _input(path, "video", t=f"{frames / FPS + 0.5:.3f}")
        .video.filter("fps", FPS)
        .filter(
            "scale", width, height, force_original_aspect_ratio="increase", out_color_matrix="bt709", out_range="tv"
        )
        .filter("crop", width, height)
        .filter("setsar", 1)
        .filter("format", "yuv420p")
        # A clip shorter than its share holds its last frame rather than leaving the preview short.
        .filter("tpad", stop=-1, stop_mode="clone")
        .filter("trim", end_frame=frames)
        .filter("setpts", f"N/({FPS}*TB)")
    )


def _soundtrack(request: PreviewRequest):
    """The first audio reference, else a soft generated bed. A video reference's own sound is not used:
    one soundtrack runs under the whole preview, as it will under the real video."""
    seconds = request.duration
    reference = request.soundtrack
    if reference is not None:
        audio = _input(reference.path, "audio", t=seconds).audio
    else:
        audio = ffmpeg.filter([_pad(seconds), _air(seconds)], "amix", inputs=2, normalize=0).filter(
            "afade", t="in", d=1.2
        )
    samples = seconds * SAMPLE_RATE
    return (
        audio.filter("aresample", SAMPLE_RATE)
        .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
        .filter("apad", whole_len=samples)
        .filter("atrim", end_sample=samples)
        .filter("afade", t="out", st=seconds - 0.6, d=0.6)
    )


def _pad(seconds: int):
    """A quiet, slowly breathing A-major chord, detuned a touch between the ears: audibly a soundtrack,
    plainly not music anyone would keep."""

    def voice(*freqs: float) -> str:
        tones = "+".join(f"{gain}*sin(2*PI*{f}*t)" for gain, f in zip((1, 0.6, 0.5, 0.3), freqs, strict=True))
        return f"0.045*({tones})*(0.75+0.25*sin(2*PI*0.2*t))"

    left, right = voice(110, 164.81, 220, 277.18), voice(110.3, 165.1, 219.7, 277.6)
    return ffmpeg.input(f"aevalsrc=exprs={left}|{right}:s={SAMPLE_RATE}:d={seconds}", f="lavfi").audio


def _air(seconds: int):
    return ffmpeg.input(f"anoisesrc=color=pink:amplitude=0.02:r={SAMPLE_RATE}:d={seconds}", f="lavfi").audio.filter(
        "lowpass", f=1200
    )
