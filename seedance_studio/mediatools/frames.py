"""Still pictures taken from references: a video's poster and last frame, an image's thumbnail.

Videos are opened exactly as probe.py opens them (MOV demuxer forced, file protocol only, no external tracks),
so these functions are safe on uploads that passed sniff() and probe_media(). Pictures come out as they are
shown: ffmpeg's autorotate applies the rotation, non-square pixels are made square, and EXIF orientation is
applied to images. A failed extraction never leaves a half-written file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageOps

from .ffmpeg import FfmpegError, ffmpeg_path, run_ffmpeg
from .probe import input_args
from .sniff import MediaRefused

_SQUARE_PIXELS = "scale=iw*sar:ih,setsar=1"
_LAST_FRAME_WINDOW = 1  # seconds before the end decoded to find the last frame
_THUMBNAIL_FORMATS = ["JPEG", "PNG", "WEBP", "BMP"]


def extract_poster(
    video_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    at_seconds: float,
    width: int,
    timeout: float,
) -> Path:
    """A JPEG of the frame at `at_seconds` (the first frame when the video is shorter), at most `width` px wide."""
    out = Path(out_path)
    scale = f"{_SQUARE_PIXELS},scale='min({int(width)},iw)':-2"
    output = [
        "-map",
        "0:V:0",
        "-frames:v",
        "1",
        "-vf",
        scale,
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        "-f",
        "image2",
        "-update",
        "1",
        "-y",
        _file(out),
    ]
    if at_seconds > 0 and _run(["-ss", f"{at_seconds:.3f}", *input_args(video_path, "mov"), *output], out, timeout):
        return out
    if _run([*input_args(video_path, "mov"), *output], out, timeout):
        return out
    raise MediaRefused(
        "No picture could be taken from this video; it may be damaged. Export it again as MP4 (H.264) and upload that."
    )


def extract_last_frame(video_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *, timeout: float) -> Path:
    """The video's true last frame, as PNG or JPEG by `out_path`'s suffix, to continue a shot from where it ends.

    ffmpeg cannot seek to "the last frame", so the final second is decoded with the image2 muxer overwriting one
    file per frame (`-update 1`): what remains is the last frame. When the picture ends more than that second
    before the file does (a longer sound track), the whole video is decoded instead.
    """
    out = Path(out_path)
    codec = {
        ".png": ["-c:v", "png"],
        ".jpg": ["-c:v", "mjpeg", "-q:v", "2"],
        ".jpeg": ["-c:v", "mjpeg", "-q:v", "2"],
    }.get(out.suffix.lower())
    if codec is None:
        raise ValueError(f"extract_last_frame writes .png or .jpg, not {out.suffix!r}")
    output = ["-map", "0:V:0", "-vf", _SQUARE_PIXELS, *codec, "-f", "image2", "-update", "1", "-y", _file(out)]
    if _run(["-sseof", f"-{_LAST_FRAME_WINDOW}", *input_args(video_path, "mov"), *output], out, timeout):
        return out
    if _run([*input_args(video_path, "mov"), *output], out, timeout):
        return out
    raise MediaRefused(
        "The last frame of this video could not be read; it may be damaged. "
        "Export it again as MP4 (H.264) and upload that."
    )


def make_image_thumbnail(
    image_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *, max_side: int
) -> Path:
    """An RGB JPEG at most `max_side` px on its longer side, upright, with no metadata (no EXIF, GPS or ICC).

    Call probe_image() first: this trusts that the image's pixel count was already checked.
    """
    out = Path(out_path)
    try:
        with Image.open(image_path, formats=_THUMBNAIL_FORMATS) as img:
            img.draft("RGB", (max_side, max_side))  # JPEG decodes straight at a reduced scale
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            _flatten(upright).save(out, "JPEG", quality=85, optimize=True)
    except Exception:  # Pillow reports hostile input with many exception types
        out.unlink(missing_ok=True)
        raise MediaRefused(
            "This image could not be read; it may be damaged. Export it again as JPG or PNG and upload that."
        ) from None
    return out


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _file(path: Path) -> str:
    # "file:" so an output name is never read as a protocol or an option.
    return "file:" + os.path.abspath(path)


def _run(args: list[str], out: Path, timeout: float) -> bool:
    """Run one extraction; True when it produced a non-empty picture, False (and no file) otherwise."""
    ffmpeg_path()  # a missing or misconfigured ffmpeg is the server's problem: let it raise as such
    out.unlink(missing_ok=True)
    try:
        completed = run_ffmpeg(args, timeout=timeout, check=False)
    except FfmpegError:  # with check=False, only the timeout is left
        out.unlink(missing_ok=True)
        raise MediaRefused(
            f"Reading this video took too long (over {timeout:g} s); it may be damaged. "
            "Export it again as MP4 (H.264) and upload that."
        ) from None
    if completed.returncode == 0 and out.is_file() and out.stat().st_size > 0:
        return True
    out.unlink(missing_ok=True)
    return False
