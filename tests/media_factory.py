"""Test media made on the spot with Pillow and ffmpeg: nothing large is committed, nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from seedance_studio.mediatools.ffmpeg import run_ffmpeg


def make_image(
    path: Path,
    width: int = 640,
    height: int = 480,
    *,
    fmt: str | None = None,
    color: tuple[int, int, int] = (200, 80, 40),
    exif_orientation: int | None = None,
) -> Path:
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 4, height // 4, width * 3 // 4, height * 3 // 4], fill=(30, 90, 200))
    draw.text((10, 10), path.stem, fill=(255, 255, 255))
    kwargs = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    image.save(path, format=fmt or _pillow_format(path), **kwargs)
    return path


def _pillow_format(path: Path) -> str:
    return {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".bmp": "BMP"}[path.suffix.lower()]


def make_video(
    path: Path,
    seconds: float = 2.0,
    width: int = 640,
    height: int = 360,
    *,
    fps: int = 24,
    with_audio: bool = True,
    rotate: int | None = None,
    extra_args: list[str] | None = None,
) -> Path:
    """An H.264 test pattern (with a tone when with_audio) in the container the path's suffix names."""
    args = ["-y", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    if with_audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    codec = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if path.suffix.lower() == ".avi":
        codec = ["-c:v", "mjpeg"]
    args += codec
    if with_audio:
        args += ["-c:a", "aac" if path.suffix.lower() in (".mp4", ".mov") else "pcm_s16le", "-shortest"]
    args += extra_args or []
    args.append(str(path))
    run_ffmpeg(args, timeout=60)
    if rotate is not None:
        rotated = path.with_name(path.stem + "-rot" + path.suffix)
        run_ffmpeg(["-y", "-display_rotation", str(rotate), "-i", str(path), "-c", "copy", str(rotated)], timeout=60)
        rotated.replace(path)
    return path


def make_large_video(path: Path, size_bytes: int) -> Path:
    """A playable MP4 of about `size_bytes`: a short test pattern grown by a trailing `free` box, which players
    skip. Made in a moment, whatever the size, for tests of large uploads."""
    make_video(path, seconds=1, width=320, height=180)
    padding = max(size_bytes - path.stat().st_size - 8, 0)
    with path.open("ab") as handle:
        handle.write((padding + 8).to_bytes(4, "big") + b"free")
        handle.write(bytes(padding))
    return path


def make_audio(path: Path, seconds: float = 3.0, *, frequency: int = 330) -> Path:
    codec = {".mp3": ["-c:a", "libmp3lame", "-b:a", "96k"], ".wav": ["-c:a", "pcm_s16le"]}[path.suffix.lower()]
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={frequency}:sample_rate=44100:duration={seconds}",
            *codec,
            str(path),
        ],
        timeout=60,
    )
    return path


# Hostile files, crafted byte by byte: each one is a way an upload can lie about what it is.


def make_png_bomb(path: Path, width: int = 60000, height: int = 60000) -> Path:
    """A tiny PNG whose header declares width x height 1-bit pixels: decoding it would need gigabytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row * 4, 9)) + chunk(b"IEND", b"")
    )
    return path


def make_video_with_external_track(path: Path, target: Path) -> Path:
    """An MP4 whose picture lives in `target` (a sibling file), through a QuickTime alias data reference.

    `target` is made as a normal MP4 first; `path` is the same movie with its own samples blanked and its video
    track's data reference pointing at `target` by name. ffmpeg with `-enable_drefs 1` would play `target`'s
    pictures from it, which is how such a file could read another upload.
    """
    import struct

    assert path.parent == target.parent, "a relative alias reaches a sibling file"
    make_video(target, seconds=1.0, width=160, height=90, with_audio=False)
    data = bytearray(target.read_bytes())
    offsets = _box_path(data, [b"moov", b"trak", b"mdia", b"minf", b"dinf", b"dref"])
    dref = offsets[-1]
    old_size = struct.unpack(">I", data[dref : dref + 4])[0]
    name = b"/" + target.name.encode()
    alias = (
        bytes(10)
        + bytes(1 + 27)
        + bytes(12)
        + bytes([len(name) - 1])
        + name[1:].ljust(63, b"\0")
        + bytes(16)
        + struct.pack(">HH", 1, 1)
        + bytes(16)  # one level up from the alias, one down to the target
        + struct.pack(">HH", 2, len(name))
        + name
        + b"\0" * (len(name) % 2)
        + struct.pack(">HH", 0xFFFF, 0)
    )
    entry = struct.pack(">I4sI", 12 + len(alias), b"alis", 0) + alias  # flags 0: the data is not in this file
    new_dref = struct.pack(">I4sII", 16 + len(entry), b"dref", 0, 1) + entry
    data[dref : dref + old_size] = new_dref
    for parent in offsets[:-1]:  # the movie atom is after the media data, so no sample offset moves
        size = struct.unpack(">I", data[parent : parent + 4])[0]
        data[parent : parent + 4] = struct.pack(">I", size + len(new_dref) - old_size)
    mdat = _box_path(data, [b"mdat"])[0]
    mdat_size = struct.unpack(">I", data[mdat : mdat + 4])[0]
    data[mdat + 8 : mdat + mdat_size] = bytes(mdat_size - 8)
    path.write_bytes(bytes(data))
    return path


def _box_path(data: bytearray, names: list[bytes]) -> list[int]:
    import struct

    offsets, offset, end = [], 0, len(data)
    for name in names:
        while offset < end:
            size, kind = struct.unpack(">I4s", data[offset : offset + 8])
            if kind == name:
                offsets.append(offset)
                offset, end = offset + 8, offset + size
                break
            offset += size
        else:
            raise ValueError(f"no {name!r} box")
    return offsets


def make_wav_header_only(path: Path, format_tag: int, payload: bytes = b"\0" * 1024) -> Path:
    """A RIFF/WAVE file whose fmt chunk declares `format_tag` (0x55 is MP3 inside WAV), then `payload`."""
    import struct

    fmt = struct.pack("<HHIIHH", format_tag, 2, 44100, 44100 * 4, 4, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def make_mp3_without_tag(path: Path, seconds: float = 1.0) -> Path:
    """An MP3 that starts straight with audio frames: no ID3 tag, no Xing header."""
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=330:sample_rate=44100:duration={seconds}",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "96k",
            "-id3v2_version",
            "0",
            "-write_xing",
            "0",
            "-f",
            "mp3",
            str(path),
        ],
        timeout=60,
    )
    return path
