from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from seedance_studio.mediatools.sniff import Detected, MediaRefused, guessed_from_name, sniff
from tests import media_factory


@pytest.mark.parametrize(
    "name, kind, fmt, mime, extension",
    [
        ("jpeg", "image", "jpeg", "image/jpeg", ".jpg"),
        ("png", "image", "png", "image/png", ".png"),
        ("webp", "image", "webp", "image/webp", ".webp"),
        ("bmp", "image", "bmp", "image/bmp", ".bmp"),
        ("mp4", "video", "mp4", "video/mp4", ".mp4"),
        ("mov", "video", "mov", "video/quicktime", ".mov"),
        ("mp3", "audio", "mp3", "audio/mpeg", ".mp3"),
        ("bare_mp3", "audio", "mp3", "audio/mpeg", ".mp3"),
        ("wav", "audio", "wav", "audio/wav", ".wav"),
    ],
)
def test_it_recognises_every_allowed_type(media, name, kind, fmt, mime, extension):
    assert sniff(media[name]) == Detected(kind, fmt, mime, extension)


def test_it_ignores_the_file_name(media, tmp_path):
    disguised = tmp_path / "holiday.wav"
    disguised.write_bytes(media["png"].read_bytes())
    assert sniff(disguised).format == "png"


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(MediaRefused) as caught:
        sniff(path)
    return caught.value.message


def test_it_refuses_an_hls_playlist_named_mp4(tmp_path):
    playlist = b"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://example.com/a.ts\n#EXT-X-ENDLIST\n"
    message = _refusal(_write(tmp_path, "clip.mp4", playlist))
    assert message == "This file is an HLS playlist, not a video. Upload an MP4 or MOV file."


def test_it_refuses_an_hls_playlist_behind_a_byte_order_mark(tmp_path):
    assert "HLS playlist" in _refusal(_write(tmp_path, "clip.mp4", b"\xef\xbb\xbf  #EXTM3U\n#EXTINF:1,\nx.ts\n"))


@pytest.mark.parametrize(
    "content",
    [
        b"ffconcat version 1.0\nfile 'secret.mp4'\n",
        b"# made by hand\nfile '/etc/passwd'\n",
    ],
)
def test_it_refuses_an_ffconcat_list(tmp_path, content):
    assert "ffmpeg concat list, not a video" in _refusal(_write(tmp_path, "clip.mp4", content))


def test_it_refuses_an_avi(media, tmp_path):
    message = _refusal(_write(tmp_path, "clip.mp4", media["avi"].read_bytes()))
    assert message.startswith("This file is an AVI video")
    assert "MP4" in message


def test_it_refuses_an_avi_named_wav(media, tmp_path):
    assert "AVI video" in _refusal(_write(tmp_path, "sound.wav", media["avi"].read_bytes()))


def test_it_refuses_an_empty_file(tmp_path):
    assert "empty" in _refusal(_write(tmp_path, "photo.jpg", b""))


def test_it_refuses_garbage(tmp_path):
    message = _refusal(_write(tmp_path, "photo.jpg", random.Random(7).randbytes(3000)))
    assert message == (
        "This file is not a picture, video or sound we recognise. Upload a JPG, PNG, WEBP or BMP "
        "image, an MP4 or MOV video, or an MP3 or WAV sound."
    )


def test_it_refuses_a_text_file_named_jpg(tmp_path):
    assert "text file" in _refusal(_write(tmp_path, "photo.jpg", "Dear diary, ça va?\n".encode() * 50))


def test_it_refuses_a_web_page(tmp_path):
    assert "web page" in _refusal(_write(tmp_path, "photo.png", b"<!DOCTYPE html><html><body>hi</body></html>"))


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"GIF89a" + bytes(100), "a GIF"),
        (b"\x1a\x45\xdf\xa3" + bytes(100), "WebM or MKV"),
        (b"%PDF-1.7\n" + bytes(100), "PDF"),
        (b"<?xml version='1.0'?><MPD xmlns='urn:mpeg:dash:schema:mpd:2011'>", "DASH manifest"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "SVG"),
        (struct.pack(">I4s4sI", 24, b"ftyp", b"heic", 0) + b"mif1heic" + bytes(100), "HEIC photo"),
        (struct.pack(">I4s4sI", 24, b"ftyp", b"M4A ", 0) + b"M4A isom" + bytes(100), "M4A"),
        (struct.pack(">I4s4sI", 20, b"ftyp", b"3gp4", 0) + b"isom" + bytes(100), "3GP"),
    ],
)
def test_it_names_other_known_formats(tmp_path, content, expected):
    assert expected in _refusal(_write(tmp_path, "upload.mp4", content))


def test_it_refuses_a_wav_holding_mp3(tmp_path):
    path = media_factory.make_wav_header_only(tmp_path / "sound.wav", 0x55)
    assert _refusal(path) == (
        "This WAV file holds MP3 audio, not plain PCM. Export it as a PCM WAV or as MP3 and upload that."
    )


def test_it_accepts_a_float_wav(tmp_path):
    assert sniff(media_factory.make_wav_header_only(tmp_path / "sound.wav", 0x0003)).format == "wav"


def test_it_refuses_a_wav_without_a_format_header(tmp_path):
    assert "no readable format header" in _refusal(_write(tmp_path, "sound.wav", b"RIFF\x04\0\0\0WAVE"))


def test_it_does_not_take_a_stray_frame_sync_for_mp3(tmp_path):
    # One plausible MPEG audio header followed by noise: a single sync word is not enough.
    assert "not a picture, video or sound" in _refusal(_write(tmp_path, "a.mp3", b"\xff\xfb\x90\x64" + bytes(2000)))


def test_it_refuses_an_id3_tag_with_no_mp3_after_it(tmp_path):
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10)
    assert "MP3 tag but no MP3 audio" in _refusal(_write(tmp_path, "a.mp3", tag + b"hello world" * 100))


@pytest.mark.parametrize(
    ("file_name", "guess"),
    [
        ("Sunrise.JPEG", Detected("image", "jpeg", "image/jpeg", ".jpg")),
        ("sunrise.jpg", Detected("image", "jpeg", "image/jpeg", ".jpg")),
        ("walk.MOV", Detected("video", "mov", "video/quicktime", ".mov")),
        ("take.final.mp4", Detected("video", "mp4", "video/mp4", ".mp4")),
        ("theme.wav", Detected("audio", "wav", "audio/wav", ".wav")),
        ("clip.avi", None),
        ("README", None),
        ("mp4", None),
    ],
)
def test_a_file_name_gives_a_guess_of_what_the_file_is(file_name, guess):
    assert guessed_from_name(file_name) == guess
