"""Which font draws a preview's text: the first one installed that has a glyph for every character of it.

A font without a character draws its "missing glyph" box instead, so a Chinese prompt set in DejaVu Sans comes out
as a row of identical boxes. The candidates, in order of preference:
  DejaVu Sans                  the system's (Debian's ffmpeg pulls it in): Latin, Greek, Cyrillic, no CJK
  WenQuanYi Micro Hei          installed with the Python dependencies (the `paperang-p2-fonts-cjk` wheel, 5 MB,
                               the font under Apache-2.0 / GPLv3 with the font exception): Latin and CJK
  Noto Sans CJK, WenQuanYi     Debian's fonts-noto-cjk (the Docker image installs it), fonts-wqy-*
Coverage is read from each font's character map (fontTools), never guessed from file names. When no font covers
a text's Chinese characters, the preview says so (`NO_CJK_NOTE`) rather than drawing boxes.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

NO_CJK_NOTE = "This preview cannot show Chinese text: no CJK font is installed"
# Han (with extension A and compatibility ideographs), kana, Hangul, and CJK punctuation and full-width forms.
CJK_CHARACTERS = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_CJK_RE = re.compile(f"[{CJK_CHARACTERS}]")
_SYSTEM_CJK = (
    # Debian fonts-noto-cjk; face 2 of the collection is Simplified Chinese (0 JP, 1 KR, 2 SC, 3 TC, 4 HK).
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # Debian fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # Debian fonts-wqy-zenhei
)


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # the face within a collection (.ttc)

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.path), size, index=self.index)


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


@functools.cache
def installed_fonts() -> tuple[FontFile, ...]:
    """The candidates this machine has, in order of preference (see the module docstring)."""
    found: list[FontFile] = []
    with contextlib.suppress(OSError):  # no DejaVu Sans on this machine
        dejavu = ImageFont.truetype("DejaVuSans.ttf", 12).path  # found where FreeType looks for system fonts
        if isinstance(dejavu, str):
            found.append(FontFile(Path(dejavu)))
    spec = importlib.util.find_spec("paperang_p2_fonts_cjk")
    if spec is not None and spec.origin:
        found.append(FontFile(Path(spec.origin).parent / "fonts" / "wqy-microhei.ttc"))
    found.extend(FontFile(Path(path), index) for path, index in _SYSTEM_CJK)
    return tuple(font for font in found if font.path.is_file())


@functools.cache
def _characters(font: FontFile) -> frozenset[int]:
    try:
        with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
            return frozenset(face.getBestCmap() or ())
    except Exception:  # a damaged or unreadable file is simply not a candidate
        return frozenset()


def covers(font: FontFile, text: str) -> bool:
    """Whether `font` has a glyph for every visible character of `text`."""
    return {ord(char) for char in text if not char.isspace()} <= _characters(font)


def font_for(text: str, candidates: tuple[FontFile, ...] | None = None) -> FontFile | None:
    """The first candidate that covers `text`; else the one that covers most of it (a stray symbol may then be a
    box); None when there is no candidate at all. `candidates`: installed_fonts() unless given."""
    candidates = installed_fonts() if candidates is None else candidates
    for font in candidates:
        if covers(font, text):
            return font
    wanted = {ord(char) for char in text if not char.isspace()}
    return max(candidates, key=lambda font: len(wanted & _characters(font)), default=None)


def shown_text(text: str, candidates: tuple[FontFile, ...] | None = None) -> tuple[str, FontFile | None]:
    """What the preview draws for `text`, and with which font: the text itself, or `NO_CJK_NOTE` when it has
    Chinese (or other CJK) characters that no installed font can draw."""
    font = font_for(text, candidates)
    if has_cjk(text) and (font is None or not all(covers(font, char) for char in _CJK_RE.findall(text))):
        return NO_CJK_NOTE, font_for(NO_CJK_NOTE, candidates)
    return text, font


def load(font: FontFile | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """`font` at `size`; Pillow's own font (basic Latin only) when there is none."""
    if font is not None:
        try:
            return font.load(size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)
