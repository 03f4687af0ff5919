from __future__ import annotations

import pytest

from seedance_studio import mediatools
from seedance_studio.mediatools.apps import MediatoolsConfig
from seedance_studio.mediatools.ffmpeg import FfmpegError, ffmpeg_path, run_ffmpeg, use_ffmpeg


@pytest.fixture
def default_ffmpeg():
    yield
    use_ffmpeg(None)


def test_it_finds_an_ffmpeg_with_no_configuration_at_all(default_ffmpeg):
    use_ffmpeg(None)
    assert b"ffmpeg version" in run_ffmpeg(["-version"], timeout=30).stdout


def test_it_runs_the_ffmpeg_it_is_given(default_ffmpeg, tmp_path):
    fake = tmp_path / "my-ffmpeg"
    fake.write_text("#!/bin/sh\necho pinned ffmpeg\n")
    fake.chmod(0o755)
    use_ffmpeg(fake)
    assert ffmpeg_path() == str(fake)
    assert run_ffmpeg(["-version"], timeout=30).stdout == b"pinned ffmpeg\n"


def test_it_names_a_pinned_ffmpeg_that_is_not_there(default_ffmpeg, tmp_path):
    use_ffmpeg(tmp_path / "missing-ffmpeg")
    with pytest.raises(FfmpegError, match="missing-ffmpeg"):
        ffmpeg_path()
    use_ffmpeg("")
    assert ffmpeg_path() != str(tmp_path / "missing-ffmpeg")


def test_the_studio_hands_its_ffmpeg_binary_setting_to_mediatools(default_ffmpeg, settings, tmp_path):
    settings.FFMPEG_BINARY = str(tmp_path / "missing-ffmpeg")
    MediatoolsConfig("seedance_studio.mediatools", mediatools).ready()
    with pytest.raises(FfmpegError, match="missing-ffmpeg"):
        ffmpeg_path()
    settings.FFMPEG_BINARY = None  # and follows the setting when a test overrides it
    ffmpeg_path()
