"""Facts about an upload that sniff() accepted, read with the one decoder its bytes named.

Images are opened by Pillow with only the sniffed format's plugin, and refused on size before any pixel is
decoded. Videos and sounds are read by PyAV (FFmpeg's own libraries, bundled in the av wheel) in a subprocess,
probe_child.py: one fresh process per file (started while the upload arrives, see start_probe_ahead), killed at
the timeout, with its address space and CPU time capped, so a file that crashes, hangs or bloats libav costs that
process and never the web server. It opens the file with the demuxer forced to the sniffed one, a format whitelist
of that demuxer alone, `protocol_whitelist=file` and external tracks off, so even a file that fooled sniff() can
never be read as a playlist, a concat list or a pointer to another file. It reports the container's and streams'
fields as JSON and decodes the first frames, which proves the media really decodes; the judgement and every
message a creative reads are made here.

Earlier probes read the report `ffmpeg -i` prints; its wording changes between ffmpeg releases and a hostile file
could forge its lines through metadata. Fields read through the libraries' API have neither problem.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import math
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

from . import probe_child
from .ffmpeg import FfmpegError, stderr_tail
from .sniff import Detected, MediaRefused

log = logging.getLogger(__name__)

_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "bmp": "BMP"}
_EXIF_ORIENTATION = 0x0112
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}

MAX_VIDEO_SIDE = 8192
DECODE_CHECK_SECONDS = 1
# Address space of the probing process: Python and libav map about 120 MB of it before the file is opened, and one
# 8192x8192 H.264 frame peaks under 300 MB. A file that wants more than this is refused, never served.
PROBE_MEMORY_BYTES = 1 << 30


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
                raise MediaRefused(
                    f"This image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
                    f"the limit is {limit / 1e6:.0f} megapixels. Scale it down and upload it again."
                )
            if getattr(img, "is_animated", False) and detected.format in ("png", "webp"):
                raise MediaRefused(
                    "This is an animated image. Upload a still image, or upload the animation as an MP4 video."
                )
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
        raise MediaRefused(
            f"This image declares {size}; the limit is {limit / 1e6:.0f} megapixels. Scale it down and upload it again."
        ) from None
    except Exception:  # Pillow signals hostile input with many exception types (OSError, SyntaxError, ValueError...)
        raise MediaRefused(
            "This image could not be read; it may be damaged or only partly uploaded. "
            "Export it again as JPG or PNG and upload that."
        ) from None
    swapped = orientation in _SWAPPING_ORIENTATIONS
    return ImageFacts(
        detected.format,
        width,
        height,
        height if swapped else width,
        width if swapped else height,
        orientation,
        has_alpha,
        mode,
    )


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # broken EXIF is common in real photos and says nothing about the pixels
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# The one demuxer each sniffed format may be read with, and its private options. Inputs are only ever local files
# (protocol_whitelist): no network protocol, no "concat:"/"subfile:" tricks that open other paths.
_DEMUXERS = {
    "mp4": ("mov", "mov,mp4,m4a,3gp,3g2,mj2", {"enable_drefs": "0", "use_absolute_path": "0"}),
    "mov": ("mov", "mov,mp4,m4a,3gp,3g2,mj2", {"enable_drefs": "0", "use_absolute_path": "0"}),
    "mp3": ("mp3", "mp3", {}),
    "wav": ("wav", "wav", {}),
}


def demuxer_options(container: str) -> tuple[str, dict[str, str]]:
    """The demuxer that opens `container`, and the options that let it open that and nothing else."""
    demuxer, whitelist, private = _DEMUXERS[container]
    return demuxer, {"protocol_whitelist": "file", "format_whitelist": whitelist, **private}


def input_url(path: str | os.PathLike[str]) -> str:
    # "file:" so that a name such as "concat:a|b" or "-x" is only ever a file name.
    return "file:" + os.path.abspath(path)


def input_args(path: str | os.PathLike[str], container: str) -> list[str]:
    """The ffmpeg options and `-i` that open `path` as `container` and as nothing else."""
    demuxer, options = demuxer_options(container)
    return [
        "-f",
        demuxer,
        *(arg for name, value in options.items() for arg in ("-" + name, value)),
        "-i",
        input_url(path),
    ]


def probe_media(
    path: str | os.PathLike[str],
    detected: Detected,
    *,
    timeout: float,
    max_seconds: float,
    max_side: int = MAX_VIDEO_SIDE,
) -> MediaFacts:
    noun, fix = _words(detected)
    try:
        report = read_media(path, detected, timeout=timeout, max_side=max_side)
    except ProbeTimedOut:
        raise MediaRefused(
            f"This {noun} took too long to read (over {timeout:g} s); it may be damaged. {fix}"
        ) from None
    if any("Skipped opening external track" in w or "not on whitelist" in w for w in report.get("warnings", ())):
        raise MediaRefused(
            f"This {noun} refers to media stored in other files or at a network address, "
            "which is not allowed. Export it as a single self-contained file and upload that."
        )
    if not report.get("opened"):
        raise MediaRefused(f"This {noun} could not be read; it may be damaged or only partly uploaded. {fix}")
    if report["metadata_keys_with_control_characters"]:
        raise MediaRefused(f"This {noun} has malformed metadata. {fix}")
    streams = {s["index"]: s for s in report["streams"]}
    audio_stream = streams.get(report["audio_index"])
    main_stream = streams.get(report["video_index"]) if detected.kind == "video" else audio_stream
    if main_stream is None and detected.kind == "video":
        raise MediaRefused(
            "This video has no picture, only sound. Upload it as a sound (MP3 or WAV), "
            "or choose a video that has a picture."
        )
    if main_stream is None:
        raise MediaRefused(f"This sound file has no sound in it. {fix}")
    decoded: dict[str, dict[str, Any]] = report["decoded"]
    duration = _centiseconds(report["duration_us"])
    if duration is None or duration <= 0:
        if not decoded.get(str(main_stream["index"]), {}).get("frames"):
            content = "picture" if detected.kind == "video" else "sound"
            raise MediaRefused(f"This {noun} is empty: there is no {content} in it. {fix}")
        raise MediaRefused(f"The length of this {noun} could not be read. {fix}")
    if any(entry["errors"] and not entry["frames"] for entry in decoded.values()):
        # As ffmpeg itself gives up: a stream whose every packet fails to decode makes the whole file unreadable.
        raise MediaRefused(f"This {noun} could not be read; it may be damaged or only partly uploaded. {fix}")
    if duration > max_seconds:
        raise MediaRefused(
            f"This {noun} is {duration:.1f} s long; the limit is {max_seconds:g} s. Trim it and upload it again."
        )
    video = audio = None
    if detected.kind == "video":
        video = _video_facts(main_stream, decoded.get(str(main_stream["index"])), max_side=max_side, fix=fix)
        if audio_stream is not None:
            audio = _audio_facts(
                audio_stream, decoded.get(str(audio_stream["index"])), noun="sound track of this video", fix=fix
            )
    else:
        audio = _audio_facts(main_stream, decoded.get(str(main_stream["index"])), noun="sound in this file", fix=fix)
    return MediaFacts(detected.format, duration, video, audio)


def _words(detected: Detected) -> tuple[str, str]:
    """What a creative calls this file, and how they can fix it."""
    if detected.kind == "video":
        return "video", "Export it again as MP4 (H.264) and upload that."
    return "sound file", "Export it again as MP3 or WAV and upload that."


class ProbeTimedOut(Exception):
    """The probing process outlived its timeout, and has been killed."""


def read_media(
    path: str | os.PathLike[str], detected: Detected, *, timeout: float, max_side: int = MAX_VIDEO_SIDE
) -> dict[str, Any]:
    """What probe_child.py reports about `path`, opened as `detected.format` only; see probe_child for the fields.

    Raises ProbeTimedOut when the child outlives `timeout`, FfmpegError when the probe cannot run at all (no PyAV:
    the server's problem), and MediaRefused when the child dies on the file (a crash, or a resource limit hit).
    """
    request = json.dumps(probe_request(path, detected, max_side=max_side)) + "\n"
    child = _probe_process(probe_command(timeout=timeout))
    try:
        stdout, stderr = child.communicate(request.encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ProbeTimedOut() from None
    report = _parse_report(stdout)
    if child.returncode == probe_child.SETUP_FAILED and report and "setup_error" in report:
        raise FfmpegError(report["setup_error"], stderr_tail(stderr))
    if child.returncode != 0 or report is None:
        # A file that crashes libav, or needs more memory or CPU than a probe may take, is the file's problem.
        log.warning(
            "the probe of %s (%s) died with status %s\n%s",
            os.fspath(path),
            detected.format,
            child.returncode,
            stderr_tail(stderr),
        )
        noun, fix = _words(detected)
        raise MediaRefused(f"This {noun} could not be read; it may be damaged or only partly uploaded. {fix}")
    return report


def probe_request(path: str | os.PathLike[str], detected: Detected, *, max_side: int = MAX_VIDEO_SIDE) -> dict:
    """What one probe is asked: the file, opened as what sniff() found and as nothing else."""
    demuxer, options = demuxer_options(detected.format)
    return {
        "url": input_url(path),
        "demuxer": demuxer,
        "options": options,
        "kind": detected.kind,
        "max_side": max_side,
        "decode_seconds": DECODE_CHECK_SECONDS,
    }


def probe_command(*, timeout: float) -> list[str]:
    """The command line of one probing process: this interpreter, isolated (-I), running probe_child.py under
    these limits. The request follows on its stdin."""
    _check_pyav()
    limits = {"memory_bytes": PROBE_MEMORY_BYTES, "cpu_seconds": math.ceil(timeout) + 1}
    return [sys.executable, "-I", probe_child.__file__, json.dumps(limits)]


def start_probe_ahead(*, timeout: float) -> None:
    """Start the process of this process's next probe now: a fresh interpreter takes about 0.1 s to load PyAV, which
    it then does while an upload is still arriving, instead of after. It waits, with nothing opened, until a probe
    takes it; at most one waits per process, and it ends when this process does (its stdin closes)."""
    global _started_ahead
    try:
        command = probe_command(timeout=timeout)
    except FfmpegError:
        return  # no PyAV: the probe itself says so, when there is one
    with _started_ahead_lock:
        waiting = _started_ahead
        if waiting is not None and waiting.args == command and waiting.poll() is None:
            return
        try:
            _started_ahead = _start_probe_process(command)
        except OSError:
            log.exception("a probing process could not be started ahead; the probe will start its own")
            _started_ahead = None
    if waiting is not None:
        _dismiss(waiting)


def _probe_process(command: list[str]) -> subprocess.Popen[bytes]:
    """The process started ahead when it runs `command` and is still waiting, else a new one. Each is used once."""
    global _started_ahead
    with _started_ahead_lock:
        waiting, _started_ahead = _started_ahead, None
    if waiting is not None:
        if waiting.args == command and waiting.poll() is None:
            return waiting
        _dismiss(waiting)  # other limits (another timeout), or it ended: a probe never inherits its fate
    return _start_probe_process(command)


def _dismiss_started_ahead() -> None:
    """End the process waiting for this process's next probe, if one is (for tests that start from none)."""
    global _started_ahead
    with _started_ahead_lock:
        waiting, _started_ahead = _started_ahead, None
    if waiting is not None:
        _dismiss(waiting)


def _start_probe_process(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _dismiss(process: subprocess.Popen[bytes]) -> None:
    """End a waiting probe process: its stdin closes, and it leaves without reading anything."""
    try:
        process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


_started_ahead_lock = threading.Lock()
_started_ahead: subprocess.Popen[bytes] | None = None


@functools.cache
def _check_pyav() -> None:
    # Looked up, never imported: libav stays out of the web process.
    if not sys.executable or importlib.util.find_spec("av") is None:
        raise FfmpegError("PyAV (the av package) is not installed in this environment: run `make install`.")


_MAX_REPORT_BYTES = 1_000_000


def _parse_report(stdout: bytes) -> dict[str, Any] | None:
    if not stdout or len(stdout) > _MAX_REPORT_BYTES:
        return None
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _centiseconds(duration_us: int | None) -> float | None:
    """Seconds, rounded to the hundredth as ffmpeg has always reported them (what earlier probes stored)."""
    if duration_us is None:
        return None
    return (duration_us + 5000) // 10000 / 100


def _video_facts(
    stream: dict[str, Any], decoded: dict[str, Any] | None, *, max_side: int, fix: str
) -> VideoStreamFacts:
    codec, width, height = stream["codec"], stream["width"], stream["height"]
    if stream["decodable"] and width and height and not (0 < width <= max_side and 0 < height <= max_side):
        raise MediaRefused(
            f"This video is {width}x{height} pixels; the largest accepted side is {max_side} px. "
            "Export it smaller (for example 1920x1080) and upload that."
        )
    if not decoded or not decoded["frames"] or not (width and height):
        raise MediaRefused(
            f"The picture in this video could not be decoded{_named(codec)}; "
            f"it may be damaged or use an unusual codec. {fix}"
        )
    if (decoded["width"], decoded["height"]) != (width, height):
        raise MediaRefused(f"This video's picture size does not match its own header. {fix}")
    rotation = _rotation(decoded["rotation"])
    swapped = rotation in (90, 270)
    display = (height, width) if swapped else (width, height)
    return VideoStreamFacts(codec, width, height, display[0], display[1], rotation, _fps(stream))


def _named(codec: str | None) -> str:
    return f" ({codec})" if codec else ""


def _rotation(counterclockwise: float) -> int:
    """Clockwise degrees a player turns the picture, from the display matrix's counterclockwise angle."""
    clockwise = round(-counterclockwise) % 360
    # ffmpeg's autorotate only turns multiples of 90 degrees (within 1 degree); anything else plays as stored.
    nearest = round(clockwise / 90) * 90 % 360
    return nearest if abs((clockwise - nearest + 180) % 360 - 180) <= 1 else 0


def _fps(stream: dict[str, Any]) -> float | None:
    # The average frame rate, else the stream's base rate: what ffmpeg reports as "fps", else as "tbr".
    for rate in (stream["average_rate"], stream["base_rate"]):
        if rate and rate[0] > 0 and rate[1] > 0:
            return round(rate[0] / rate[1], 2)  # to the hundredth, as ffmpeg printed it: 30000/1001 is 29.97
    return None


def _audio_facts(stream: dict[str, Any], decoded: dict[str, Any] | None, *, noun: str, fix: str) -> AudioStreamFacts:
    codec, rate = stream["codec"], stream.get("sample_rate") or 0
    if not decoded or not decoded["frames"] or not rate:
        raise MediaRefused(
            f"The {noun} could not be decoded{_named(codec)}; it may be damaged or use an unusual codec. {fix}"
        )
    return AudioStreamFacts(codec, rate, stream.get("channels") or 0)
