"""The still pictures a preview is made of, drawn with Pillow so nothing depends on ffmpeg's drawtext or fonts.

Fonts: the badge is DejaVu Sans when the system has it (Debian's ffmpeg pulls it in), otherwise Pillow's bundled
Aileron. The prompt (title card and caption) is set in the first installed font that has all its characters,
CJK included (fonts.py); without one for its Chinese characters, the preview says so instead of drawing boxes.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps

from . import fonts
from .fonts import FontFile

BADGE_TEXT = "PREVIEW · local draft"
# Fast PNG: these files live for one render, so encoding time matters more than their size.
_PNG: dict[str, Any] = {"format": "PNG", "compress_level": 1}


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def draw_badge(frame_size: tuple[int, int], dest: Path) -> tuple[Path, int]:
    """A translucent RGBA badge marking the clip as a preview; returns its path and the margin to place it at."""
    short = min(frame_size)
    size = max(11, round(short * 0.028))
    font = _font(size, bold=True)
    pad, dot = round(size * 0.6), round(size * 0.5)
    left, top, right, bottom = font.getbbox(BADGE_TEXT)
    width, height = int(right - left + 3 * pad + dot), int(bottom - top + 2 * pad)  # already whole pixels
    badge = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(badge)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 2, fill=(10, 10, 14, 165))
    draw.ellipse((pad, (height - dot) // 2, pad + dot, (height + dot) // 2), fill=(255, 176, 32, 255))
    draw.text((2 * pad + dot - left, pad - top), BADGE_TEXT, font=font, fill=(255, 255, 255, 235))
    badge.save(dest, **_PNG)
    return dest, max(8, round(short * 0.03))


def draw_title_card(
    prompt: str, frame_size: tuple[int, int], dest: Path, candidates: tuple[FontFile, ...] | None = None
) -> Path:
    """The prompt, wrapped and centred on a dark gradient: what a text-only composition previews as.
    `candidates`: the fonts to choose from (fonts.installed_fonts() unless given)."""
    width, height = frame_size
    card = _gradient(frame_size)
    draw = ImageDraw.Draw(card)
    short = min(frame_size)
    size = max(16, round(short * 0.058))
    text, face = fonts.shown_text(" ".join(prompt.split()) or "Untitled preview", candidates)
    font, caption_font = fonts.load(face, size), _font(max(10, round(short * 0.026)), bold=True)
    lines = _wrap(text, font, width * 0.8, max_lines=6)
    line_height = round(size * 1.3)
    caption_gap = round(size * 1.4)
    y = (height - (len(lines) * line_height + caption_gap)) // 2
    draw.text((width / 2, y), "TEXT TO VIDEO", font=caption_font, fill=(170, 160, 210), anchor="mt")
    y += caption_gap
    for line in lines:
        draw.text((width / 2, y), line, font=font, fill=(242, 240, 250), anchor="mt")
        y += line_height
    card.save(dest, **_PNG)
    return dest


def draw_caption(
    prompt: str, frame_width: int, dest: Path, candidates: tuple[FontFile, ...] | None = None
) -> Path | None:
    """The prompt as a caption: at most two centred lines on a translucent band as wide as the frame, for the
    bottom of the picture. None for an empty prompt. `candidates` as for draw_title_card."""
    words = " ".join(prompt.split())
    if not words:
        return None
    text, face = fonts.shown_text(words, candidates)
    size = max(12, round(frame_width * 0.022))
    font = fonts.load(face, size)
    lines = _wrap(text, font, frame_width * 0.86, max_lines=2)
    line_height, pad = round(size * 1.35), round(size * 0.6)
    band = Image.new("RGBA", (frame_width, len(lines) * line_height + 2 * pad), (8, 8, 12, 150))
    draw = ImageDraw.Draw(band)
    for number, line in enumerate(lines):
        draw.text(
            (frame_width / 2, pad + number * line_height), line, font=font, fill=(250, 250, 252, 255), anchor="mt"
        )
    band.save(dest, **_PNG)
    return dest


def _gradient(size: tuple[int, int]) -> Image.Image:
    top, bottom = Image.new("RGB", size, (14, 16, 34)), Image.new("RGB", size, (52, 30, 78))
    card = Image.composite(bottom, top, Image.linear_gradient("L").resize(size))
    # A soft vignette keeps the eye on the text in the middle.
    edges = Image.radial_gradient("L").resize(size).point(lambda v: min(255, v) * 0.55)
    return Image.composite(Image.new("RGB", size, (6, 6, 14)), card, edges)


# What a line may break between: a run of spaces, a word, or a single CJK character (Chinese has no spaces).
_TOKENS = re.compile(rf"\s+|[{fonts.CJK_CHARACTERS}]|[^\s{fonts.CJK_CHARACTERS}]+")


def _wrap(text: str, font, max_width: float, *, max_lines: int) -> list[str]:
    """Lines no wider than `max_width` as drawn in `font`, broken at spaces or between CJK characters (a word too
    long for a line is cut); past `max_lines`, the last line ends in "..."."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            line += " " if line else ""
            continue
        if font.getlength(line + token) <= max_width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        for char in token:  # a token wider than a whole line is cut where it must be
            if line and font.getlength(line + char) > max_width:
                lines.append(line)
                line = ""
            line += char
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "...") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip(" .,;:") + "..."
    return lines or [""]


def cover_image(source: Path, frame_size: tuple[int, int], dest: Path) -> Path:
    """The image scaled to cover the frame and centre-cropped (never stretched), upright, alpha over black."""
    width, height = frame_size
    with Image.open(source) as image:
        # JPEG only: decode at the smallest DCT scale that still covers the frame, far faster for photos.
        # The draft is taken before EXIF rotation, so a sideways photo covers a sideways frame.
        sideways = image.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
        cover_w, cover_h = (height, width) if sideways else (width, height)
        scale = max(cover_w / image.width, cover_h / image.height)
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        picture = ImageOps.exif_transpose(image)
        if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
            picture = picture.convert("RGBA")
            picture = Image.alpha_composite(Image.new("RGBA", picture.size, (0, 0, 0, 255)), picture)
        picture = picture.convert("RGB")
        scale = max(width / picture.width, height / picture.height)
        crop_w, crop_h = min(width / scale, picture.width), min(height / scale, picture.height)  # float rounding
        left, top = (picture.width - crop_w) / 2, (picture.height - crop_h) / 2
        picture = picture.resize(
            (width, height), Image.Resampling.LANCZOS, box=(left, top, left + crop_w, top + crop_h), reducing_gap=3.0
        )
        picture.save(dest, **_PNG)
    return dest
