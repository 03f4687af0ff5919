"""The probing process started ahead (probe.start_probe_ahead): it loads PyAV while an upload is still arriving,
then serves exactly one probe, under the same limits and isolation as one started on demand. Whatever went wrong
with it (it ended, it has other limits), a probe starts its own rather than inherit its fate."""

from __future__ import annotations

import subprocess

import pytest

from seedance_studio.mediatools import probe
from seedance_studio.mediatools.sniff import sniff
from seedance_studio.references.upload_handlers import StreamingUploadHandler
from tests import media_factory
from tests.conftest import wait_for


@pytest.fixture(autouse=True)
def nothing_waiting():
    """Each test starts and ends with no probing process waiting."""
    probe._dismiss_started_ahead()
    yield
    probe._dismiss_started_ahead()


def _facts(path, timeout=30):
    return probe.probe_media(path, sniff(path), timeout=timeout, max_seconds=20)


def _counting_starts(monkeypatch) -> list[list[str]]:
    started: list[list[str]] = []
    real = probe._start_probe_process

    def counting(command):
        started.append(command)
        return real(command)

    monkeypatch.setattr(probe, "_start_probe_process", counting)
    return started


def test_a_probe_takes_the_process_started_ahead(media, monkeypatch):
    probe.start_probe_ahead(timeout=30)
    waiting = probe._started_ahead
    started = _counting_starts(monkeypatch)

    facts = _facts(media["mp4"])

    assert (facts.video.width, facts.video.height) == (320, 180) and facts.audio is not None
    assert started == []  # none was started on demand
    assert waiting.returncode == 0 and probe._started_ahead is None  # used once, and gone


def test_starting_ahead_twice_keeps_one_process_waiting(monkeypatch):
    probe.start_probe_ahead(timeout=30)
    first = probe._started_ahead
    started = _counting_starts(monkeypatch)

    probe.start_probe_ahead(timeout=30)

    assert probe._started_ahead is first and started == []


def test_a_process_started_ahead_that_has_ended_is_not_used(media, monkeypatch):
    probe.start_probe_ahead(timeout=30)
    waiting = probe._started_ahead
    waiting.kill()
    wait_for(lambda: waiting.poll() is not None, timeout=10)
    started = _counting_starts(monkeypatch)

    facts = _facts(media["mp4"])

    assert facts.video.width == 320  # not "could not be read": the file is not blamed for a dead process
    assert len(started) == 1


def test_a_process_started_ahead_under_other_limits_is_not_used(media, monkeypatch):
    probe.start_probe_ahead(timeout=30)
    waiting = probe._started_ahead
    started = _counting_starts(monkeypatch)

    _facts(media["mp4"], timeout=5)

    assert started == [probe.probe_command(timeout=5)]
    assert waiting.wait(timeout=10) == 0  # dismissed: its stdin closed, and it left without reading a file


def test_a_process_started_ahead_still_refuses_a_file_that_needs_too_much_memory(tmp_path, monkeypatch):
    side = probe.MAX_VIDEO_SIDE
    video = media_factory.make_video(tmp_path / "huge.mp4", seconds=0.04, width=side, height=side, with_audio=False)
    monkeypatch.setattr(probe, "PROBE_MEMORY_BYTES", 200 << 20)
    probe.start_probe_ahead(timeout=30)  # under the lowered limit, as any probe started now would be

    with pytest.raises(probe.MediaRefused, match="could not be read"):
        _facts(video)


def test_a_waiting_process_leaves_quietly_when_nobody_needs_it():
    probe.start_probe_ahead(timeout=30)
    waiting = probe._started_ahead

    stdout, stderr = waiting.communicate(timeout=30)  # stdin closed, as when the web process ends

    assert (waiting.returncode, stdout, stderr) == (0, b"", b"")


def test_an_upload_starts_a_probe_ahead_for_a_video_or_a_sound_and_not_for_an_image(db):
    handler = StreamingUploadHandler()

    handler.new_file("files", "sunrise.jpg", "image/jpeg", None)
    assert probe._started_ahead is None

    for name in ("walk.mp4", "theme.mp3", "untitled"):
        handler.new_file("files", name, "application/octet-stream", None)
        assert isinstance(probe._started_ahead, subprocess.Popen), name
        assert probe._started_ahead.args == probe.probe_command(timeout=20)
