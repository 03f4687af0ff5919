from __future__ import annotations

import pytest
from PIL import Image

from seedance_studio.mediatools.ffmpeg import run_ffmpeg
from seedance_studio.mediatools.frames import extract_last_frame, extract_poster, make_image_thumbnail
from seedance_studio.mediatools.sniff import MediaRefused
from tests import media_factory

BLUE_LAST_FRAME = "drawbox=x=0:y=0:w=iw:h=ih:color=blue:t=fill:enable='eq(n,{last})'"


def _is_blue(path) -> bool:
    with Image.open(path) as img:
        r, g, b = img.convert("RGB").getpixel((img.width // 2, img.height // 2))
    return b > 200 and r < 60 and g < 60


@pytest.fixture(scope="module")
def ends_in_blue(tmp_path_factory):
    """1 s at 24 fps whose 24th and last frame alone is solid blue."""
    path = tmp_path_factory.mktemp("frames") / "ends-in-blue.mp4"
    return media_factory.make_video(
        path, seconds=1.0, width=160, height=90, fps=24, extra_args=["-vf", BLUE_LAST_FRAME.format(last=23)]
    )


def test_it_takes_a_poster_no_wider_than_asked(media, tmp_path):
    poster = extract_poster(media["mp4"], tmp_path / "poster.jpg", at_seconds=0.5, width=160, timeout=30)
    with Image.open(poster) as img:
        assert (img.format, img.size) == ("JPEG", (160, 90))


def test_it_never_enlarges_a_poster(media, tmp_path):
    poster = extract_poster(media["mp4"], tmp_path / "poster.jpg", at_seconds=0, width=1000, timeout=30)
    assert Image.open(poster).size == (320, 180)


def test_it_turns_the_poster_of_a_rotated_video_upright(media, tmp_path):
    poster = extract_poster(media["rotated"], tmp_path / "poster.jpg", at_seconds=0.1, width=90, timeout=30)
    assert Image.open(poster).size == (90, 160)


def test_it_falls_back_to_the_first_frame_when_the_poster_time_is_past_the_end(media, tmp_path):
    poster = extract_poster(media["mp4"], tmp_path / "poster.jpg", at_seconds=99, width=64, timeout=30)
    assert Image.open(poster).size == (64, 36)


def test_it_refuses_a_poster_from_a_broken_video(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\0\0\0\x18ftypisom\0\0\0\0isommp41" + bytes(500))
    with pytest.raises(MediaRefused, match="No picture could be taken"):
        extract_poster(broken, tmp_path / "poster.jpg", at_seconds=0, width=64, timeout=30)
    assert not (tmp_path / "poster.jpg").exists()


@pytest.mark.parametrize("name, fmt", [("last.png", "PNG"), ("last.jpg", "JPEG")])
def test_it_extracts_the_true_last_frame(ends_in_blue, tmp_path, name, fmt):
    last = extract_last_frame(ends_in_blue, tmp_path / name, timeout=30)
    with Image.open(last) as img:
        assert (img.format, img.size) == (fmt, (160, 90))
    assert _is_blue(last)
    second_last = extract_poster(ends_in_blue, tmp_path / "p.jpg", at_seconds=21.5 / 24, width=160, timeout=30)
    assert not _is_blue(second_last)


def test_it_finds_the_last_frame_when_the_sound_runs_longer(tmp_path):
    path = tmp_path / "long-sound.mp4"
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=24:duration=0.5",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=3",
            "-vf",
            BLUE_LAST_FRAME.format(last=11),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(path),
        ],
        timeout=60,
    )
    assert _is_blue(extract_last_frame(path, tmp_path / "last.png", timeout=30))


def test_it_turns_the_last_frame_of_a_rotated_video_upright(media, tmp_path):
    assert Image.open(extract_last_frame(media["rotated"], tmp_path / "last.png", timeout=30)).size == (180, 320)


def test_it_writes_the_last_frame_only_as_png_or_jpeg(media, tmp_path):
    with pytest.raises(ValueError):
        extract_last_frame(media["mp4"], tmp_path / "last.gif", timeout=30)


def test_it_makes_an_upright_thumbnail_without_metadata(media, tmp_path):
    thumb = make_image_thumbnail(media["portrait_exif"], tmp_path / "thumb.jpg", max_side=32)
    with Image.open(thumb) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (24, 32))
        assert not img.getexif() and "icc_profile" not in img.info and "exif" not in img.info


def test_it_puts_transparent_pictures_on_white(tmp_path):
    path = tmp_path / "logo.png"
    Image.new("RGBA", (40, 20), (255, 0, 0, 0)).save(path)
    thumb = make_image_thumbnail(path, tmp_path / "thumb.jpg", max_side=100)
    with Image.open(thumb) as img:
        assert img.size == (40, 20)
        assert img.getpixel((5, 5)) >= (250, 250, 250)


def test_it_refuses_to_thumbnail_a_broken_image(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    with pytest.raises(MediaRefused):
        make_image_thumbnail(broken, tmp_path / "thumb.jpg", max_side=32)
    assert not (tmp_path / "thumb.jpg").exists()
