"""Facts about an upload that sniff() accepted, read with the one decoder its bytes named.

Images are opened by Pillow with only the sniffed format's plugin, and refused on size before any pixel is
decoded. Videos and sounds are read by ffmpeg with the demuxer forced to the sniffed one, a format whitelist of
that demuxer alone, `-protocol_whitelist file` and external tracks off, so even a file that fooled sniff() can
never be read as a playlist, a concat list or a pointer to another file. There is no ffprobe: the facts come
from the header ffmpeg prints while it decodes the first frames, which doubles as the proof that the media
really decodes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from PIL import Image

from .ffmpeg import SAFE_INPUT_OPTIONS, FfmpegError, ffmpeg_path, run_ffmpeg
from .sniff import Detected, MediaRefused

_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "bmp": "BMP"}
_EXIF_ORIENTATION = 0x0112
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}

MAX_VIDEO_SIDE = 8192
DECODE_CHECK_SECONDS = 1


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int  # as stored
    height: int
    display_width: int  # after the EXIF orientation is applied
    display_height: int
    orientation: int  # EXIF orientation 1-8; 1 when absent
    has_alpha: bool
    mode: str  # Pillow mode, e.g. "RGB", "RGBA", "P"


@dataclass(frozen=True)
class VideoStreamFacts:
    codec: str
    width: int  # as stored
    height: int
    display_width: int  # as played, after the rotation
    display_height: int
    rotation: int  # clockwise degrees a player turns the stored picture: 0, 90, 180 or 270
    fps: float | None


@dataclass(frozen=True)
class AudioStreamFacts:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class MediaFacts:
    container: str  # the sniffed format: mp4, mov, mp3, wav
    duration: float  # seconds
    video: VideoStreamFacts | None
    audio: AudioStreamFacts | None


def probe_image(path: str | os.PathLike[str], detected: Detected, *, max_pixels: int) -> ImageFacts:
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)  # Pillow's own bomb warning counts too
    try:
        with Image.open(path, formats=[_PILLOW_FORMATS[detected.format]]) as img:
            width, height = img.size
            if width <= 0 or height <= 0:
                raise MediaRefused("This image has no pixels. Export it again as JPG or PNG and upload that.")
            if width * height > limit:
                raise MediaRefused(f"This image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
                                   f"the limit is {limit / 1e6:.0f} megapixels. Scale it down and upload it again.")
            if getattr(img, "is_animated", False) and detected.format in ("png", "webp"):
                raise MediaRefused("This is an animated image. Upload a still image, "
                                   "or upload the animation as an MP4 video.")
            orientation = _orientation(img)
            mode, has_alpha = img.mode, img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
            if detected.format == "jpeg":
                # Decoding at 1/8 scale still reads every byte of the scan (so truncation is caught) in 1/64 the memory.
                img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
            img.load()
    except MediaRefused:
        raise
    except Image.DecompressionBombError as exc:  # raised inside Image.open, before we see the size
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(declared[1]) / 1e6:.0f} megapixels" if declared else "an enormous number of pixels"
        raise MediaRefused(f"This image declares {size}; the limit is {limit / 1e6:.0f} megapixels. "
                           "Scale it down and upload it again.") from None
    except Exception:  # Pillow signals hostile input with many exception types (OSError, SyntaxError, ValueError...)
        raise MediaRefused("This image could not be read; it may be damaged or only partly uploaded. "
                           "Export it again as JPG or PNG and upload that.") from None
    swapped = orientation in _SWAPPING_ORIENTATIONS
    return ImageFacts(detected.format, width, height, height if swapped else width, width if swapped else height,
                      orientation, has_alpha, mode)


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # broken EXIF is common in real photos and says nothing about the pixels
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# The one demuxer each sniffed format may be read with, and its private options.
_DEMUXERS = {
    "mp4": ("mov", "mov,mp4,m4a,3gp,3g2,mj2", ("-enable_drefs", "0", "-use_absolute_path", "0")),
    "mov": ("mov", "mov,mp4,m4a,3gp,3g2,mj2", ("-enable_drefs", "0", "-use_absolute_path", "0")),
    "mp3": ("mp3", "mp3", ()),
    "wav": ("wav", "wav", ()),
}


def input_args(path: str | os.PathLike[str], container: str) -> list[str]:
    """The options and `-i` that open `path` as `container` and as nothing else."""
    demuxer, whitelist, private = _DEMUXERS[container]
    # "file:" so that a name such as "concat:a|b" or "-x" is only ever a file name.
    return [*SAFE_INPUT_OPTIONS, "-f", demuxer, "-format_whitelist", whitelist, *private,
            "-i", "file:" + os.path.abspath(path)]


def probe_media(path: str | os.PathLike[str], detected: Detected, *, timeout: float, max_seconds: float,
                max_side: int = MAX_VIDEO_SIDE) -> MediaFacts:
    noun = "video" if detected.kind == "video" else "sound file"
    fix = ("Export it again as MP4 (H.264) and upload that." if detected.kind == "video"
           else "Export it again as MP3 or WAV and upload that.")
    maps = ["-map", "0:V:0", "-map", "0:a:0?", "-frames:v", "1"] if detected.kind == "video" else ["-map", "0:a:0"]
    ffmpeg_path()  # a missing or misconfigured ffmpeg is the server's problem: let it raise as such
    try:
        completed = run_ffmpeg(["-loglevel", "info", *input_args(path, detected.format), *maps,
                                "-t", str(DECODE_CHECK_SECONDS), "-f", "framecrc", "-"], timeout=timeout, check=False)
    except FfmpegError:  # with check=False, only the timeout is left
        raise MediaRefused(f"This {noun} took too long to read (over {timeout:g} s); "
                           f"it may be damaged. {fix}") from None
    stderr = completed.stderr.decode("utf-8", "replace")
    if "Skipped opening external track" in stderr or "not on whitelist" in stderr:
        raise MediaRefused(f"This {noun} refers to media stored in other files or at a network address, "
                           "which is not allowed. Export it as a single self-contained file and upload that.")
    header = _parse_header(stderr)
    if header is None:
        raise MediaRefused(f"This {noun} could not be read; it may be damaged or only partly uploaded. {fix}")
    if not header.consistent:
        raise MediaRefused(f"This {noun} has malformed metadata. {fix}")
    video_line = next((s for s in header.streams if s.kind == "Video" and "(attached pic)" not in s.line), None)
    audio_line = next((s for s in header.streams if s.kind == "Audio"), None)
    if detected.kind == "video" and video_line is None:
        raise MediaRefused("This video has no picture, only sound. Upload it as a sound (MP3 or WAV), "
                           "or choose a video that has a picture.")
    if detected.kind == "audio" and audio_line is None:
        raise MediaRefused(f"This sound file has no sound in it. {fix}")
    if completed.returncode != 0:
        raise MediaRefused(f"This {noun} could not be read; it may be damaged or only partly uploaded. {fix}")
    decoded = _decoded_streams(completed.stdout.decode("ascii", "replace"))
    duration = header.duration
    if duration is None or duration <= 0:
        if not decoded.get(0, {}).get("frames"):
            content = "picture" if detected.kind == "video" else "sound"
            raise MediaRefused(f"This {noun} is empty: there is no {content} in it. {fix}")
        raise MediaRefused(f"The length of this {noun} could not be read. {fix}")
    if duration > max_seconds:
        raise MediaRefused(f"This {noun} is {duration:.1f} s long; the limit is {max_seconds:g} s. "
                           "Trim it and upload it again.")
    video = audio = None
    if detected.kind == "video":
        video = _video_facts(video_line, decoded.get(0), max_side=max_side, fix=fix)
        if audio_line is not None:
            audio = _audio_facts(audio_line, decoded.get(1), noun="sound track of this video", fix=fix)
    else:
        audio = _audio_facts(audio_line, decoded.get(0), noun="sound in this file", fix=fix)
    return MediaFacts(detected.format, duration, video, audio)


@dataclass
class _Stream:
    index: int
    kind: str  # Video, Audio, Data, Subtitle, Attachment
    line: str  # what follows "Video: "
    side_data: list[str]


@dataclass
class _Header:
    duration: float | None
    streams: list[_Stream]
    consistent: bool


_DURATION = re.compile(r"^  Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N/A)")
_STREAM = re.compile(r"^  Stream #0:(\d+)(?:\[0x[0-9a-fA-F]+\])?(?:\([^)]*\))?: (\w+): (.*)$")
_ROTATION = re.compile(r"^\s+(?:Display Matrix|displaymatrix): rotation of (-?\d+(?:\.\d+)?) degrees\s*$")


def _parse_header(stderr: str) -> _Header | None:
    """The "Input #0" block of ffmpeg's report.

    Metadata keys are printed unescaped, so a hostile file can forge whole lines that look like ffmpeg's own.
    It cannot remove ffmpeg's real lines, though, so a forgery shows up as a second Duration line or as stream
    numbers out of sequence, and the block is then reported as inconsistent. Sizes are taken from the decoded
    frames (_decoded_streams), which metadata cannot reach.
    """
    lines = stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Input #0, ")]
    if not starts:
        return None
    if len(starts) > 1:  # a forged block, printed through a warning that quotes the file, or through metadata
        return _Header(None, [], consistent=False)
    start = starts[0]
    durations: list[float | None] = []
    streams: list[_Stream] = []
    for line in lines[start + 1:]:
        if line.startswith(("Stream mapping:", "Output #", "Input #")):
            break
        if match := _DURATION.match(line):
            hours, minutes, seconds = match.groups()
            durations.append(None if hours is None else int(hours) * 3600 + int(minutes) * 60 + float(seconds))
        elif match := _STREAM.match(line):
            streams.append(_Stream(int(match[1]), match[2], match[3], []))
        elif streams and line.startswith("    "):
            streams[-1].side_data.append(line)
    consistent = len(durations) == 1 and [s.index for s in streams] == list(range(len(streams)))
    return _Header(durations[0] if durations else None, streams, consistent)


def _decoded_streams(framecrc: str) -> dict[int, dict[str, object]]:
    """Per output stream: how many frames decoded, and the decoder's own header fields (e.g. dimensions)."""
    streams: dict[int, dict[str, object]] = {}
    for line in framecrc.splitlines():
        if match := re.match(r"^#(\w+) (\d+): (.*)$", line):
            streams.setdefault(int(match[2]), {"frames": 0})[match[1]] = match[3].strip()
        elif match := re.match(r"^(\d+),", line):
            stream = streams.setdefault(int(match[1]), {"frames": 0})
            stream["frames"] = int(stream["frames"]) + 1  # type: ignore[call-overload]
    return streams


def _top_level_fields(line: str) -> list[str]:
    # Commas inside parentheses belong to one field: "yuv420p(tv, bt709, progressive)".
    return [field.strip() for field in re.split(r",\s*(?![^()]*\))", line)]


def _video_facts(stream: _Stream, decoded: dict[str, object] | None, *, max_side: int, fix: str) -> VideoStreamFacts:
    fields = _top_level_fields(stream.line)
    codec = fields[0].split(" ", 1)[0]
    size = next((m for f in fields if (m := re.match(r"^(\d+)x(\d+)\b", f))), None)
    if not decoded or not decoded.get("frames") or size is None:
        raise MediaRefused(f"The picture in this video could not be decoded ({codec}); "
                           f"it may be damaged or use an unusual codec. {fix}")
    width, height = int(size[1]), int(size[2])
    if not (0 < width <= max_side and 0 < height <= max_side):
        raise MediaRefused(f"This video is {width}x{height} pixels; the largest accepted side is {max_side} px. "
                           "Export it smaller (for example 1920x1080) and upload that.")
    rotation = _rotation(stream.side_data)
    swapped = rotation in (90, 270)
    expected = (height, width) if swapped else (width, height)
    shown = re.match(r"^(\d+)x(\d+)$", str(decoded.get("dimensions", "")))
    if shown is None or (int(shown[1]), int(shown[2])) != expected:
        raise MediaRefused(f"This video's picture size does not match its own header. {fix}")
    return VideoStreamFacts(codec, width, height, expected[0], expected[1], rotation, _fps(fields))


def _rotation(side_data: list[str]) -> int:
    for line in side_data:
        if match := _ROTATION.match(line):
            counterclockwise = float(match[1])  # ffmpeg prints the display matrix angle counterclockwise
            clockwise = round(-counterclockwise) % 360
            # ffmpeg's autorotate only turns multiples of 90 degrees (within 1 degree); anything else plays as stored.
            nearest = round(clockwise / 90) * 90 % 360
            return nearest if abs((clockwise - nearest + 180) % 360 - 180) <= 1 else 0
    return 0


def _fps(fields: list[str]) -> float | None:
    for suffix in (" fps", " tbr"):
        for field in fields:
            if match := re.match(r"^(\d+(?:\.\d+)?)(k?)" + suffix + "$", field):
                return float(match[1]) * (1000 if match[2] else 1)
    return None


_LAYOUT_CHANNELS = {"mono": 1, "stereo": 2, "downmix": 2, "binaural": 2, "quad": 4, "hexagonal": 6,
                    "octagonal": 8, "hexadecagonal": 16}


def _audio_facts(stream: _Stream, decoded: dict[str, object] | None, *, noun: str, fix: str) -> AudioStreamFacts:
    fields = _top_level_fields(stream.line)
    codec = fields[0].split(" ", 1)[0]
    rate = next((int(m[1]) for f in fields if (m := re.match(r"^(\d+) Hz$", f))), 0)
    if not decoded or not decoded.get("frames") or not rate:
        raise MediaRefused(f"The {noun} could not be decoded ({codec}); "
                           f"it may be damaged or use an unusual codec. {fix}")
    return AudioStreamFacts(codec, rate, _channels(fields))


def _channels(fields: list[str]) -> int:
    for field in fields[1:]:
        layout = field.split("(", 1)[0].strip()
        if layout in _LAYOUT_CHANNELS:
            return _LAYOUT_CHANNELS[layout]
        if match := re.match(r"^(\d+) channels", field):
            return int(match[1])
        if match := re.match(r"^(\d+)\.(\d+)$", layout):  # "5.1" is five full-range channels and one LFE
            return int(match[1]) + int(match[2])
    return 0
