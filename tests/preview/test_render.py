"""The renderer's output, measured: most clips are 4 s at 480p to keep the file fast."""

from __future__ import annotations

import itertools
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.preview import PreviewError, PreviewReference, PreviewRequest, render_preview
from tests import media_factory
from tests.preview.measure import (
    SAMPLE_RATE,
    audio_samples,
    distance,
    edge_positions,
    first_frame,
    frame_colours,
    mean_volume_db,
    measure,
)

FRAME = 1 / 24


def preview(*references: PreviewReference, **fields) -> PreviewRequest:
    return PreviewRequest(
        **{
            "prompt": "A lighthouse keeper climbs the stairs at dusk",
            "duration": 4,
            "aspect_ratio": "16:9",
            "resolution": "480p",
            "generate_audio": False,
            "references": references,
            **fields,
        }
    )


def image(path: Path) -> PreviewReference:
    return PreviewReference("image", path)


def covered_colour(path: Path, size: tuple[int, int]) -> tuple[float, float, float]:
    """The mean colour the image should have once scaled to cover the frame and centre-cropped."""
    with Image.open(path) as picture:
        return ImageOps.fit(picture.convert("RGB"), size).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))


def assert_plays_for(path: Path, seconds: int) -> None:
    measured = measure(path)
    assert measured.video_codec == "h264" and measured.fps == 24
    assert abs(measured.container_seconds - seconds) <= FRAME
    assert len(frame_colours(path)) == seconds * 24


def test_it_renders_a_title_card_for_a_text_only_prompt(tmp_path):
    out = tmp_path / "title.mp4"
    result = render_preview(preview(), out)

    assert (result.width, result.height, result.duration, result.has_audio) == (864, 496, 4.0, False)
    assert_plays_for(out, 4)
    measured = measure(out)
    assert (measured.width, measured.height, measured.audio_codec) == (864, 496, None)
    card = Image.open(first_frame(out, tmp_path / "card.png")).convert("L")
    assert card.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)) < 70  # a dark card...
    assert card.getextrema()[1] > 200  # ...with light text on it


def test_it_pushes_in_on_a_single_image_and_adds_a_soft_bed(tmp_path, red_image):
    out = tmp_path / "one.mp4"
    render_preview(preview(image(red_image), aspect_ratio="1:1", generate_audio=True), out)

    measured = measure(out)
    assert (measured.width, measured.height, measured.audio_codec) == (640, 640, "aac")
    assert_plays_for(out, 4)
    colours = frame_colours(out)
    assert distance(colours[0], covered_colour(red_image, (640, 640))) < 25  # opens on the image
    assert colours[-1][2] > colours[0][2] + 5  # closer in: the blue middle fills more of the frame
    assert audio_samples(out) == pytest.approx(4 * SAMPLE_RATE, abs=SAMPLE_RATE / 24)
    assert -50 < mean_volume_db(out) < -15  # soft, and not silence


def test_it_pushes_in_smoothly(tmp_path):
    # A light box on black: its left edge should glide outwards, never stepping back (zoompan's jitter) and
    # never jumping more than a pixel or so between frames.
    box = Image.new("RGB", (1600, 900))
    box.paste((255, 255, 255), (400, 300, 1200, 600))
    box.save(tmp_path / "box.png")
    out = tmp_path / "box.mp4"
    render_preview(preview(image(tmp_path / "box.png")), out)

    edges = edge_positions(out, row=496 // 2)
    steps = [after - before for before, after in itertools.pairwise(edges)]
    assert edges[0] - edges[-1] > 15  # it moved
    assert max(steps) < 0.25 and min(steps) > -1.5


def test_it_marks_the_clip_as_a_preview(tmp_path, red_image):
    out = tmp_path / "badged.mp4"
    render_preview(preview(image(red_image)), out)

    frame = Image.open(first_frame(out, tmp_path / "frame.png")).convert("RGB")
    corner = frame.crop((0, 0, frame.width // 3, frame.height // 8))
    assert corner.convert("L").getextrema()[1] > 200  # white lettering over a red picture


def test_it_moves_from_the_first_image_to_the_last(tmp_path, red_image, green_image):
    out = tmp_path / "first-last.mp4"
    render_preview(preview(image(red_image), image(green_image), aspect_ratio="9:16"), out)

    assert_plays_for(out, 4)
    colours = frame_colours(out)
    first, last = covered_colour(red_image, (496, 864)), covered_colour(green_image, (496, 864))
    assert distance(colours[0], first) < 25 < distance(colours[0], last)
    assert distance(colours[-1], last) < 25 < distance(colours[-1], first)
    assert distance(colours[len(colours) // 2], first) > 25  # a dissolve, not a cut at the very end


@pytest.mark.parametrize("song_fixture", ["short_song", "long_song"])
def test_it_cuts_in_videos_under_the_audio_reference(tmp_path, request, red_image, clip, song_fixture):
    song = request.getfixturevalue(song_fixture)
    references = (
        image(red_image),
        PreviewReference("video", clip, duration=2.0, has_audio=True),
        PreviewReference("audio", song, duration=1.0 if song_fixture == "short_song" else 6.0),
    )
    out = tmp_path / "sequence.mp4"
    result = render_preview(preview(*references, aspect_ratio="4:3"), out)

    assert result.has_audio  # the soundtrack is there although generate_audio is off
    measured = measure(out)
    assert (measured.width, measured.height, measured.audio_codec) == (752, 560, "aac")
    assert_plays_for(out, 4)
    assert audio_samples(out) == pytest.approx(4 * SAMPLE_RATE, abs=SAMPLE_RATE / 24)  # padded or trimmed
    colours = frame_colours(out)
    red = covered_colour(red_image, (752, 560))
    assert all(distance(colour, red) < 25 for colour in colours[:48])  # the image's half...
    assert all(distance(colour, red) > 25 for colour in colours[49:])  # ...then the clip's


def test_it_ignores_a_video_references_own_sound(tmp_path, clip):
    out = tmp_path / "silent.mp4"
    result = render_preview(preview(PreviewReference("video", clip, duration=2.0, has_audio=True)), out)

    assert not result.has_audio
    assert measure(out).audio_codec is None
    assert_plays_for(out, 4)  # a 2 s clip holds its last frame rather than ending early


@pytest.mark.parametrize(
    "aspect_ratio, resolution, size",
    [
        ("21:9", "480p", (992, 432)),
        ("3:4", "480p", (560, 752)),
        ("16:9", "720p", (1280, 720)),
    ],
)
def test_it_renders_the_exact_output_size(tmp_path, green_image, aspect_ratio, resolution, size):
    out = tmp_path / "sized.mp4"
    render_preview(preview(image(green_image), aspect_ratio=aspect_ratio, resolution=resolution), out)

    measured = measure(out)
    assert (measured.width, measured.height) == size
    assert abs(measured.container_seconds - 4) <= FRAME


def test_it_reports_progress_rising_to_one(tmp_path):
    reports: list[tuple[float, float]] = []
    render_preview(
        preview(duration=10, resolution="720p"),
        tmp_path / "progress.mp4",
        on_progress=lambda fraction: reports.append((time.monotonic(), fraction)),
    )

    fractions = [fraction for _, fraction in reports]
    assert len(fractions) >= 3 and fractions[-1] == 1.0
    assert all(0 <= a < b <= 1 for a, b in itertools.pairwise(fractions))
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(reports[:-1])]
    assert all(gap >= 0.2 for gap in gaps)  # throttled: a few calls a second


def test_it_stops_a_render_that_takes_too_long(tmp_path, red_image):
    out_dir, work = tmp_path / "out", tmp_path / "work"
    out_dir.mkdir(), work.mkdir()
    started = time.monotonic()
    with pytest.raises(FfmpegError, match="longer than"):
        render_preview(
            preview(image(red_image), duration=15, resolution="1080p", generate_audio=True),
            out_dir / "slow.mp4",
            timeout=0.5,
            workdir=work,
        )

    assert time.monotonic() - started < 3
    assert list(out_dir.iterdir()) == [] and list(work.iterdir()) == []


def test_it_leaves_nothing_behind_when_ffmpeg_refuses_a_reference(tmp_path):
    # An AVI named .mp4: the demuxer whitelist refuses it rather than reading whatever it is.
    disguised = tmp_path / "clip.mp4"
    shutil.move(media_factory.make_video(tmp_path / "clip.avi", seconds=1, with_audio=False), disguised)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(FfmpegError):
        render_preview(preview(PreviewReference("video", disguised, duration=1.0)), out_dir / "bad.mp4")

    assert list(out_dir.iterdir()) == []


def test_it_names_an_unreadable_image(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    with pytest.raises(PreviewError, match=r"broken\.png"):
        render_preview(preview(image(broken)), tmp_path / "never.mp4")

    assert not (tmp_path / "never.mp4").exists()
