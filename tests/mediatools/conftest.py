"""Media made once per session: ffmpeg runs are the slow part of these tests, and no test changes its inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import media_factory


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    made = {
        "mp4": media_factory.make_video(d / "clip.mp4", seconds=1.0, width=320, height=180, fps=24),
        "mov": media_factory.make_video(d / "clip.mov", seconds=0.5, width=160, height=120, fps=25),
        "rotated": media_factory.make_video(d / "rotated.mp4", seconds=0.5, width=320, height=180, rotate=90),
        "silent": media_factory.make_video(d / "silent.mp4", seconds=0.5, width=160, height=90, with_audio=False),
        "avi": media_factory.make_video(d / "clip.avi", seconds=0.5, width=160, height=90),
        "mp3": media_factory.make_audio(d / "tone.mp3", seconds=1.0),
        "wav": media_factory.make_audio(d / "tone.wav", seconds=1.0),
        "bare_mp3": media_factory.make_mp3_without_tag(d / "bare.mp3", seconds=0.5),
        "jpeg": media_factory.make_image(d / "photo.jpg", 64, 48),
        "png": media_factory.make_image(d / "picture.png", 64, 48),
        "webp": media_factory.make_image(d / "picture.webp", 64, 48),
        "bmp": media_factory.make_image(d / "picture.bmp", 64, 48),
        "portrait_exif": media_factory.make_image(d / "phone.jpg", 64, 48, exif_orientation=6),
    }
    # Sound only, in an MP4 container: a "video" with no picture.
    made["m4a_as_mp4"] = d / "sound-only.mp4"
    media_factory.run_ffmpeg(
        ["-y", "-i", str(made["mp3"]), "-c:a", "aac", "-f", "mp4", str(made["m4a_as_mp4"])], timeout=60
    )
    return made
