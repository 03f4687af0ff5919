"""Reference media for the renderer's tests, made once per session: the renders are what is under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import media_factory

RED, GREEN = (200, 40, 40), (40, 200, 60)


@pytest.fixture(scope="session")
def preview_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("preview-media")


@pytest.fixture(scope="session")
def red_image(preview_media) -> Path:
    return media_factory.make_image(preview_media / "red.jpg", 800, 600, color=RED)


@pytest.fixture(scope="session")
def green_image(preview_media) -> Path:
    # Portrait, so covering a landscape frame has to crop it.
    return media_factory.make_image(preview_media / "green.png", 480, 720, color=GREEN)


@pytest.fixture(scope="session")
def clip(preview_media) -> Path:
    """Two seconds of test pattern with a 440 Hz tone."""
    return media_factory.make_video(preview_media / "clip.mp4", seconds=2, width=320, height=240)


@pytest.fixture(scope="session")
def short_song(preview_media) -> Path:
    return media_factory.make_audio(preview_media / "short.mp3", seconds=1)


@pytest.fixture(scope="session")
def long_song(preview_media) -> Path:
    return media_factory.make_audio(preview_media / "long.wav", seconds=6)
