"""What an uploaded file really is, decided by its bytes alone.

The name and the browser's content type are whatever the uploader chose, so neither is read here. A file is
accepted only when its leading bytes match one of the allowed formats; everything else is refused with a
message a creative can act on, naming the thing it looks like when that is recognisable (a playlist, an AVI,
a web page...). Acceptance here is only the first gate: probe.py then opens the file with the demuxer or
decoder of the sniffed format and nothing else.
"""

from __future__ import annotations

import codecs
import os
import struct
from dataclasses import dataclass
from typing import BinaryIO, Literal

SAMPLE_SIZE = 4096

ANY_ALLOWED = "Upload a JPG, PNG, WEBP or BMP image, an MP4 or MOV video, or an MP3 or WAV sound."
AS_IMAGE = "Export it as JPG or PNG and upload that."
AS_VIDEO = "Export it as MP4 (H.264) and upload that."
AS_AUDIO = "Export it as MP3 or WAV and upload that."


class MediaRefused(Exception):
    """An upload that is not accepted. `message` says what is wrong and how to fix it, for a creative."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Detected:
    kind: Literal["image", "video", "audio"]
    format: str  # jpeg, png, webp, bmp, mp4, mov, mp3, wav
    mime: str
    extension: str  # canonical, with the dot: ".jpg"


_ALLOWED = {
    "jpeg": ("image", "image/jpeg", ".jpg"),
    "png": ("image", "image/png", ".png"),
    "webp": ("image", "image/webp", ".webp"),
    "bmp": ("image", "image/bmp", ".bmp"),
    "mp4": ("video", "video/mp4", ".mp4"),
    "mov": ("video", "video/quicktime", ".mov"),
    "mp3": ("audio", "audio/mpeg", ".mp3"),
    "wav": ("audio", "audio/wav", ".wav"),
}


# A file's own name decides nothing (its content does), but it is a good guess before the content is known.
_FORMAT_OF_EXTENSION = {extension: fmt for fmt, (_kind, _mime, extension) in _ALLOWED.items()} | {".jpeg": "jpeg"}


def guessed_from_name(file_name: str) -> Detected | None:
    """What a file named `file_name` is if it is what its name says (None: a name that says nothing allowed), for
    work worth starting before its content arrives. Only sniff() decides."""
    fmt = _FORMAT_OF_EXTENSION.get(os.path.splitext(file_name)[1].lower())
    return detected(fmt) if fmt else None


def detected(fmt: str) -> Detected:
    kind, mime, extension = _ALLOWED[fmt]
    return Detected(kind, fmt, mime, extension)  # type: ignore[arg-type]


def sniff(path: str | os.PathLike[str]) -> Detected:
    with open(path, "rb") as f:
        head = f.read(SAMPLE_SIZE)
        if not head:
            raise MediaRefused("This file is empty (0 bytes). Upload it again; the transfer may have failed.")
        fmt = _image_format(head) or _iso_media_format(head) or _wav_format(f, head) or _mp3_format(f, head)
    if fmt is None:
        raise MediaRefused(_describe_refused(head))
    return detected(fmt)


def _image_format(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return "webp"
    # "BM" alone is too common a start of a text; the DIB header size pins it to a real bitmap.
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack("<I", head[14:18])[0] in (12, 40, 52, 56, 64, 108, 124):
        return "bmp"
    return None


# ISO base media ("ftyp") brands. Plain MP4 family and camera/phone variants that are MP4 inside.
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"iso7",
    b"iso8",
    b"iso9",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"dash",
    b"mmp4",
    b"MSNV",
    b"XAVC",
    b"cmfc",
    b"cmf2",
}
# Same container, different thing: refused by major brand before any compatible-brand fallback,
# because an M4A or HEIC also lists "isom"/"mp42" as compatible.
_ISO_REFUSED = {
    b"M4A ": ("an M4A/AAC sound file", AS_AUDIO),
    b"M4B ": ("an audiobook (M4B)", AS_AUDIO),
    b"M4P ": ("a protected iTunes sound file", AS_AUDIO),
    b"heic": ("a HEIC photo", AS_IMAGE),
    b"heix": ("a HEIC photo", AS_IMAGE),
    b"heim": ("a HEIC photo", AS_IMAGE),
    b"heis": ("a HEIC photo", AS_IMAGE),
    b"hevc": ("a HEIC image sequence", AS_IMAGE),
    b"hevx": ("a HEIC image sequence", AS_IMAGE),
    b"mif1": ("a HEIF image", AS_IMAGE),
    b"msf1": ("a HEIF image sequence", AS_IMAGE),
    b"avif": ("an AVIF image", AS_IMAGE),
    b"avis": ("an animated AVIF image", AS_IMAGE),
    b"crx ": ("a Canon RAW photo", AS_IMAGE),
}
# Classic QuickTime files may start straight with an atom instead of "ftyp".
_QT_FIRST_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _iso_media_format(head: bytes) -> str | None:
    if len(head) < 8:
        return None
    size, box = struct.unpack(">I4s", head[:8])
    if box == b"ftyp":
        if size < 16 or size > len(head) or size % 4:
            return None
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, size, 4)}
        if major == b"qt  ":
            return "mov"
        if major in _ISO_REFUSED or major[:3] in (b"3gp", b"3g2"):
            return None
        if major in _MP4_BRANDS or compatible & _MP4_BRANDS:
            return "mp4"
        return "mov" if b"qt  " in compatible else None
    if box in _QT_FIRST_ATOMS and (size >= 8 or (box == b"mdat" and size in (0, 1))):
        return "mov"
    return None


# WAVE format tags whose samples are plain PCM (integer or float), which every tool downstream reads.
_PCM_TAGS = {0x0001, 0x0003}
_WAV_CODEC_NAMES = {
    0x0002: "ADPCM",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0055: "MP3",
    0x0161: "WMA",
    0x2000: "AC-3",
    0x2001: "DTS",
}


_WAV_CHUNKS_SCANNED = 32


def _wav_format(f: BinaryIO, head: bytes) -> str | None:
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    offset = 12
    for _ in range(_WAV_CHUNKS_SCANNED):  # "fmt " usually comes first, after at most a few metadata chunks
        f.seek(offset)
        header = f.read(8)
        if len(header) < 8:
            break
        chunk, size = struct.unpack("<4sI", header)
        if chunk == b"fmt ":
            return _wav_fmt_chunk(f.read(min(size, 64)))
        offset += 8 + size + (size & 1)
    raise MediaRefused("This WAV file has no readable format header. " + AS_AUDIO)


def _wav_fmt_chunk(fmt: bytes) -> str:
    if len(fmt) < 16:
        raise MediaRefused("This WAV file is damaged (its format header is cut short). " + AS_AUDIO)
    tag, channels, rate = struct.unpack("<HHI", fmt[:8])
    if tag == 0xFFFE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]  # WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format
    if tag not in _PCM_TAGS:
        codec = _WAV_CODEC_NAMES.get(tag, f"format 0x{tag:04X}")
        raise MediaRefused(
            f"This WAV file holds {codec} audio, not plain PCM. Export it as a PCM WAV or as MP3 and upload that."
        )
    if not channels or not rate:
        raise MediaRefused("This WAV file is damaged (it declares no channels or no sample rate). " + AS_AUDIO)
    return "wav"


_MP3_BITRATES = {  # kbit/s for Layer III, by MPEG-1 or MPEG-2/2.5
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MP3_FRAMES_REQUIRED = 3
_ID3_PADDING_SCAN = 4096


def _mp3_format(f: BinaryIO, head: bytes) -> str | None:
    """MP3 by an ID3v2 tag followed by audio frames, or by chained frame headers at offset 0.

    A lone 0xFFE sync is an 11-bit pattern that random or compressed data hits often, so a file counts as MP3
    only when several consecutive Layer III frame headers agree and each sits exactly where the previous
    frame's length says it should.
    """
    start = 0
    while True:  # some taggers write more than one ID3v2 tag in a row
        f.seek(start)
        tag = f.read(10)
        if not (len(tag) == 10 and tag[:3] == b"ID3" and tag[3] in (2, 3, 4) and all(b < 0x80 for b in tag[6:])):
            break
        size = (tag[6] << 21) | (tag[7] << 14) | (tag[8] << 7) | tag[9]
        start += 10 + size + (10 if tag[5] & 0x10 else 0)
    if start == 0:
        return "mp3" if _mp3_frames_chain(f, 0) else None
    f.seek(start)
    window = f.read(_ID3_PADDING_SCAN)
    for i in range(len(window) - 1):  # tolerate padding that some taggers leave after the tag
        if window[i] == 0xFF and window[i + 1] & 0xE0 == 0xE0 and _mp3_frames_chain(f, start + i):
            return "mp3"
    raise MediaRefused("This file has an MP3 tag but no MP3 audio after it. " + AS_AUDIO)


def _mp3_frames_chain(f: BinaryIO, offset: int) -> bool:
    first = None
    for _ in range(_MP3_FRAMES_REQUIRED):
        f.seek(offset)
        header = f.read(4)
        if len(header) == 0 and first is not None:
            return True  # a very short file that ends cleanly on a frame boundary
        frame = _mp3_frame(header)
        if frame is None:
            return False
        length, signature = frame
        if first is not None and signature != first:
            return False
        first = signature
        offset += length
    return True


def _mp3_frame(header: bytes) -> tuple[int, tuple[int, int]] | None:
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index, padding = header[2] >> 4, (header[2] >> 2) & 3, (header[2] >> 1) & 1
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3 or header[3] & 3 == 2:
        return None
    mpeg1 = version == 3
    bitrate = _MP3_BITRATES[mpeg1][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    length = (144 if mpeg1 else 72) * bitrate // rate + padding
    return length, (version, rate)


def _describe_refused(head: bytes) -> str:
    what, fix = _recognise(head)
    return f"This file is {what}. {fix}"


def _recognise(head: bytes) -> tuple[str, str]:
    if head[:4] == b"RIFF":
        kind = head[8:12]
        if kind == b"AVI ":
            return "an AVI video, which is not accepted", AS_VIDEO
        return f"a RIFF file of type {kind.decode('latin-1')!r}, not a picture, video or sound", ANY_ALLOWED
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _ISO_REFUSED:
            what, fix = _ISO_REFUSED[brand]
            return what + ", which is not accepted", fix
        if brand[:3] in (b"3gp", b"3g2"):
            return "a 3GP phone video, which is not accepted", AS_VIDEO
        return f"an MP4-like file of an unsupported kind ({brand.decode('latin-1').strip()!r})", AS_VIDEO
    signatures = (
        (b"GIF87a", "a GIF", "Upload a JPG or PNG still, or the animation as an MP4 video."),
        (b"GIF89a", "a GIF", "Upload a JPG or PNG still, or the animation as an MP4 video."),
        (b"\x1a\x45\xdf\xa3", "a WebM or MKV video, which is not accepted", AS_VIDEO),
        (b"FLV\x01", "a Flash video, which is not accepted", AS_VIDEO),
        (b"\x30\x26\xb2\x75", "a Windows Media file, which is not accepted", ANY_ALLOWED),
        (b"OggS", "an Ogg file, which is not accepted", AS_AUDIO),
        (b"fLaC", "a FLAC sound file, which is not accepted", AS_AUDIO),
        (b"II*\x00", "a TIFF image, which is not accepted", AS_IMAGE),
        (b"MM\x00*", "a TIFF image, which is not accepted", AS_IMAGE),
        (b"%PDF", "a PDF document, not a picture", AS_IMAGE),
        (b"PK\x03\x04", "a ZIP archive", "Unpack it and upload the pictures, videos or sounds inside."),
    )
    for magic, what, fix in signatures:
        if head.startswith(magic):
            return what, fix
    if head[0] == 0x47 and len(head) > 376 and head[188] == 0x47 and head[376] == 0x47:
        return "an MPEG transport stream (.ts), which is not accepted", AS_VIDEO
    text = _as_text(head)
    if text is not None:
        return _recognise_text(text)
    return "not a picture, video or sound we recognise", ANY_ALLOWED


def _as_text(head: bytes) -> str | None:
    try:
        # Incremental so a multi-byte character cut at the end of the sample does not count against it.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    text = text.lstrip("\ufeff")
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return None
    return text


def _recognise_text(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    lowered = stripped[:512].lower()
    if stripped.startswith("#EXTM3U") or "#EXT-X-" in text:
        return "an HLS playlist, not a video", "Upload an MP4 or MOV file."
    first_line = next((line.strip() for line in stripped.splitlines() if line.strip() and not line.startswith("#")), "")
    if lowered.startswith("ffconcat") or first_line.startswith("file "):
        return "an ffmpeg concat list, not a video", "Upload an MP4 or MOV file."
    if "<mpd" in lowered:
        return "a DASH manifest, not a video", "Upload an MP4 or MOV file."
    if "<svg" in lowered:
        return "an SVG drawing, which is not accepted", AS_IMAGE
    if lowered.startswith(("<!doctype html", "<html")) or "<head" in lowered or "<body" in lowered:
        return "a web page (HTML), not a picture, video or sound", ANY_ALLOWED
    return "a text file, not a picture, video or sound", ANY_ALLOWED
