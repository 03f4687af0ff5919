from __future__ import annotations

import json
import struct
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from seedance_studio.mediatools import frames, probe, probe_child
from seedance_studio.mediatools.ffmpeg import FfmpegError, run_ffmpeg
from seedance_studio.mediatools.probe import (
    AudioStreamFacts,
    ImageFacts,
    probe_command,
    probe_image,
    probe_media,
    probe_request,
)
from seedance_studio.mediatools.sniff import MediaRefused, detected, sniff
from tests import media_factory

MAX_PIXELS = 40_000_000


def _media(path: Path, **limits):
    return probe_media(path, sniff(path), **{"timeout": 30, "max_seconds": 20, **limits})


def _refused_media(path: Path, as_format: str | None = None, **limits) -> str:
    with pytest.raises(MediaRefused) as caught:
        probe_media(
            path, detected(as_format) if as_format else sniff(path), **{"timeout": 30, "max_seconds": 20, **limits}
        )
    return caught.value.message


def _refused_image(path: Path, max_pixels: int = MAX_PIXELS) -> str:
    with pytest.raises(MediaRefused) as caught:
        probe_image(path, sniff(path), max_pixels=max_pixels)
    return caught.value.message


# Images


@pytest.mark.parametrize("name", ["jpeg", "png", "webp", "bmp"])
def test_it_reads_every_image_format(media, name):
    facts = probe_image(media[name], sniff(media[name]), max_pixels=MAX_PIXELS)
    assert facts == ImageFacts(name, 64, 48, 64, 48, 1, False, "RGB")


def test_it_swaps_the_display_size_for_exif_orientation_6(media):
    facts = probe_image(media["portrait_exif"], sniff(media["portrait_exif"]), max_pixels=MAX_PIXELS)
    assert (facts.width, facts.height, facts.orientation) == (64, 48, 6)
    assert (facts.display_width, facts.display_height) == (48, 64)


def test_it_reports_alpha(tmp_path):
    path = tmp_path / "logo.png"
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(path)
    assert probe_image(path, sniff(path), max_pixels=MAX_PIXELS).has_alpha


def test_it_refuses_a_truncated_jpeg(media, tmp_path):
    whole = media_factory.make_image(tmp_path / "big.jpg", 400, 300)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert sniff(cut).format == "jpeg"  # the start is a fine JPEG; only decoding tells
    assert "could not be read" in _refused_image(cut)


def test_it_refuses_an_image_over_the_pixel_limit_before_decoding(tmp_path):
    bomb = media_factory.make_png_bomb(tmp_path / "bomb.png", 8000, 8000)
    assert bomb.stat().st_size < 2000
    assert _refused_image(bomb) == (
        "This image is 8000x8000 pixels (64 megapixels); the limit is 40 megapixels. Scale it down and upload it again."
    )


@pytest.mark.parametrize("max_pixels", [MAX_PIXELS, 10**12])
def test_it_refuses_a_png_bomb(tmp_path, max_pixels):
    # Far over Pillow's own guard, DecompressionBombError stops it inside Image.open whatever our limit is.
    bomb = media_factory.make_png_bomb(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 2000
    assert _refused_image(bomb, max_pixels).startswith("This image declares 3600 megapixels; the limit is ")


def test_it_treats_pillows_bomb_warning_as_a_refusal(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    path = media_factory.make_image(tmp_path / "photo.png", 40, 30)  # 1200 px: only Pillow's warning range
    with pytest.warns(Image.DecompressionBombWarning):
        assert "the limit is 0 megapixels" in _refused_image(path, max_pixels=10**9)


def test_it_refuses_an_animated_png(tmp_path):
    path = tmp_path / "anim.png"
    first, second = Image.new("RGB", (8, 8), "red"), Image.new("RGB", (8, 8), "blue")
    first.save(path, save_all=True, append_images=[second])
    assert "animated image" in _refused_image(path)


# Videos and sounds


def test_it_reads_an_mp4(media):
    facts = _media(media["mp4"])
    assert facts.container == "mp4"
    assert facts.duration == pytest.approx(1.0, abs=0.1)
    video = facts.video
    assert (video.codec, video.width, video.height, video.rotation, video.fps) == ("h264", 320, 180, 0, 24)
    assert (video.display_width, video.display_height) == (320, 180)
    assert facts.audio == AudioStreamFacts("aac", 44100, 1)


def test_it_reads_a_mov(media):
    facts = _media(media["mov"])
    assert facts.container == "mov"
    assert facts.duration == pytest.approx(0.5, abs=0.1)
    assert (facts.video.width, facts.video.height, facts.video.fps) == (160, 120, 25)


def test_it_swaps_the_display_size_of_a_rotated_video(media):
    video = _media(media["rotated"]).video
    assert (video.width, video.height) == (320, 180)
    assert (video.display_width, video.display_height) == (180, 320)
    # make_video's rotate=90 is ffmpeg's -display_rotation, counterclockwise: a player turns it 270 clockwise.
    assert video.rotation == 270


def test_it_reads_a_video_without_sound(media):
    facts = _media(media["silent"])
    assert facts.video is not None and facts.audio is None


@pytest.mark.parametrize("name, codec", [("mp3", "mp3"), ("bare_mp3", "mp3"), ("wav", "pcm_s16le")])
def test_it_reads_sounds(media, name, codec):
    facts = _media(media[name])
    assert facts.video is None
    assert facts.audio == AudioStreamFacts(codec, 44100, 1)
    assert facts.duration == pytest.approx(1.0 if name != "bare_mp3" else 0.5, abs=0.1)


def test_it_refuses_a_video_over_the_length_limit(media):
    assert _refused_media(media["mp4"], max_seconds=0.5) == (
        "This video is 1.0 s long; the limit is 0.5 s. Trim it and upload it again."
    )


def test_it_refuses_absurd_dimensions(media):
    assert "the largest accepted side is 200 px" in _refused_media(media["mp4"], max_side=200)


def test_it_refuses_a_video_with_no_picture(media):
    assert sniff(media["m4a_as_mp4"]).kind == "video"
    assert _refused_media(media["m4a_as_mp4"]).startswith("This video has no picture, only sound.")


def test_it_refuses_an_empty_sound_file(tmp_path):
    wav = media_factory.make_wav_header_only(tmp_path / "empty.wav", 1, payload=b"")
    assert _refused_media(wav) == (
        "This sound file is empty: there is no sound in it. Export it again as MP3 or WAV and upload that."
    )


def test_it_counts_stereo_channels(tmp_path):
    wav = media_factory.make_wav_header_only(tmp_path / "stereo.wav", 1, payload=bytes(44100 * 4 // 10))
    facts = _media(wav)
    assert facts.audio == AudioStreamFacts("pcm_s16le", 44100, 2)
    assert facts.duration == pytest.approx(0.1, abs=0.01)


def test_it_refuses_a_video_whose_picture_is_damaged(media, tmp_path):
    data = bytearray(media["silent"].read_bytes())
    mdat = data.index(b"mdat") - 4
    size = struct.unpack(">I", data[mdat : mdat + 4])[0]
    data[mdat + 8 : mdat + size] = bytes(size - 8)  # the header still describes frames; their bytes are gone
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    assert _refused_media(broken) == (
        "This video could not be read; it may be damaged or only partly uploaded. "
        "Export it again as MP4 (H.264) and upload that."
    )


def test_it_refuses_a_truncated_video(media, tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(media["mp4"].read_bytes()[:5000])  # the movie atom sits at the end and is lost
    assert "could not be read" in _refused_media(cut)


def test_it_refuses_a_video_that_takes_too_long(media):
    assert "took too long" in _refused_media(media["mp4"], timeout=0.001)


def test_it_refuses_forged_metadata_lines(media, tmp_path):
    # Metadata keys are printed unescaped; this one forges a second, much shorter Duration line.
    forged = tmp_path / "forged.mp4"
    run_ffmpeg(
        [
            "-y",
            "-i",
            str(media["mp4"]),
            "-c",
            "copy",
            "-movflags",
            "use_metadata_tags",
            "-metadata",
            "x\n  Duration: 00:00:00.50, start: 0.000000, bitrate: 1 kb/s\n  x=y",
            str(forged),
        ],
        timeout=60,
    )
    assert _refused_media(forged) == (
        "This video has malformed metadata. Export it again as MP4 (H.264) and upload that."
    )


def test_it_reports_an_ntsc_frame_rate_to_the_hundredth(tmp_path):
    ntsc = tmp_path / "ntsc.mp4"
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=30000/1001:duration=0.5",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(ntsc),
        ],
        timeout=60,
    )
    assert _media(ntsc).video.fps == 29.97


# The probing process: whatever a file does to libav, the web process only ever gets facts or a refusal


def test_it_never_loads_libav_into_the_web_process(media):
    _media(media["mp4"])
    assert "av" not in sys.modules


def test_it_refuses_a_file_that_needs_more_memory_than_a_probe_may_take(tmp_path, monkeypatch):
    huge = media_factory.make_video(
        tmp_path / "huge.mp4", seconds=0.04, width=8192, height=8192, fps=25, with_audio=False
    )
    monkeypatch.setattr(probe, "PROBE_MEMORY_BYTES", 200 << 20)  # Python and libav fit; one 8192x8192 frame does not
    assert "could not be read" in _refused_media(huge)


def test_it_refuses_a_file_that_crashes_the_probe(media, monkeypatch):
    crash = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    monkeypatch.setattr(probe, "probe_command", lambda *args, **kwargs: crash)
    assert _refused_media(media["mp4"]) == (
        "This video could not be read; it may be damaged or only partly uploaded. "
        "Export it again as MP4 (H.264) and upload that."
    )


def test_it_kills_a_probe_that_hangs(media, monkeypatch):
    hang = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(probe, "probe_command", lambda *args, **kwargs: hang)
    started = time.monotonic()
    assert "took too long to read (over 0.5 s)" in _refused_media(media["mp4"], timeout=0.5)
    assert time.monotonic() - started < 5


def test_a_probe_without_pyav_is_the_servers_problem_not_the_files(media, monkeypatch):
    real = probe.probe_command

    def without_site_packages(*args, **kwargs):
        command = real(*args, **kwargs)
        return [command[0], "-S", *command[1:]]  # the real probe_child, in an interpreter that cannot import av

    monkeypatch.setattr(probe, "probe_command", without_site_packages)
    with pytest.raises(FfmpegError, match="PyAV"):
        _media(media["mp4"])


def test_the_probing_process_opens_local_files_only(media, monkeypatch):
    real = probe.probe_request

    def concat_url(*args, **kwargs):  # as if a name had reached libav without its "file:" prefix
        return real(*args, **kwargs) | {"url": f"concat:{media['mp4']}|{media['mp4']}"}

    monkeypatch.setattr(probe, "probe_request", concat_url)
    assert _refused_media(media["mp4"]).startswith("This video refers to media stored in other files")


# Files that try to make ffmpeg read something else


def test_it_refuses_a_video_whose_track_lives_in_another_file(tmp_path):
    hostile = media_factory.make_video_with_external_track(tmp_path / "upload.mp4", tmp_path / "secret.mp4")
    # The file is a real attack: with external tracks enabled, ffmpeg decodes the other file's pictures.
    leaked = run_ffmpeg(
        [
            *probe.input_args(hostile, "mp4")[:-2],
            "-enable_drefs",
            "1",
            "-i",
            str(hostile),
            "-frames:v",
            "1",
            "-f",
            "framecrc",
            "-",
        ],
        timeout=30,
        check=False,
    )
    assert leaked.stdout.count(b"\n0,") == 1
    assert _refused_media(hostile).startswith("This video refers to media stored in other files")


def test_it_never_follows_a_concat_list_even_if_sniffing_were_fooled(media, tmp_path):
    (tmp_path / "secret.mp4").write_bytes(media["mp4"].read_bytes())
    hostile = tmp_path / "upload.mp4"
    hostile.write_bytes(b"ffconcat version 1.0\nfile secret.mp4\n")
    # Left to guess, ffmpeg reads the concat list and through it the other file...
    guessed = run_ffmpeg(["-i", str(hostile), "-frames:v", "1", "-f", "framecrc", "-"], timeout=30, check=False)
    assert guessed.returncode == 0 and b"\n0," in guessed.stdout
    # ...but opened as the sniffed type, it is only an unreadable MP4.
    assert "could not be read" in _refused_media(hostile, as_format="mp4")
    with pytest.raises(MediaRefused):
        frames.extract_poster(hostile, tmp_path / "poster.jpg", at_seconds=0, width=64, timeout=30)
    assert not (tmp_path / "poster.jpg").exists()


def test_it_never_reads_an_hls_playlist_behind_a_real_mp4_header(media, tmp_path):
    hostile = tmp_path / "upload.mp4"
    ftyp = struct.pack(">I4s4sI", 24, b"ftyp", b"isom", 512) + b"isommp41"
    hostile.write_bytes(ftyp + f"#EXTM3U\n#EXTINF:1,\n{media['mp4']}\n#EXT-X-ENDLIST\n".encode())
    assert sniff(hostile).format == "mp4"  # sniffing is fooled by the header...
    assert "could not be read" in _refused_media(hostile)  # ...the forced MOV demuxer is not


@pytest.mark.parametrize("as_format", ["mp4", "mp3", "wav"])
def test_it_refuses_garbage_whatever_it_was_sniffed_as(tmp_path, as_format):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 20)
    assert "could not be read" in _refused_media(garbage, as_format=as_format)


def test_every_ffmpeg_call_is_locked_to_local_files_and_one_demuxer(media, tmp_path, monkeypatch):
    calls, probes = [], []

    def recording(args, **kwargs):
        calls.append(list(args))
        return run_ffmpeg(args, **kwargs)

    def recording_probe(*args, **kwargs):
        command = probe_command(*args, **kwargs)
        probes.append(command)
        return command

    def recording_request(*args, **kwargs):
        request = probe_request(*args, **kwargs)
        requests.append(request)
        return request

    requests: list[dict] = []
    monkeypatch.setattr(probe, "probe_command", recording_probe)
    monkeypatch.setattr(probe, "probe_request", recording_request)
    monkeypatch.setattr(frames, "run_ffmpeg", recording)
    _media(media["mp4"])
    _media(media["wav"])
    frames.extract_poster(media["mp4"], tmp_path / "p.jpg", at_seconds=0.2, width=64, timeout=30)
    frames.extract_last_frame(media["mp4"], tmp_path / "l.png", timeout=30)
    assert (len(calls), len(probes), len(requests)) == (2, 2, 2)
    for args in calls:
        before_input = args[: args.index("-i")]
        assert before_input[before_input.index("-protocol_whitelist") :][:2] == ["-protocol_whitelist", "file"]
        assert "-f" in before_input and "-format_whitelist" in before_input
        assert args[args.index("-i") + 1].startswith("file:/")
        if "mov" in before_input:
            assert before_input[before_input.index("-enable_drefs") + 1] == "0"
    # The probes open the file through PyAV, in an isolated interpreter, with the same locks.
    for command in probes:
        assert command[:3] == [sys.executable, "-I", probe_child.__file__]
        assert json.loads(command[-1]) == {"memory_bytes": probe.PROBE_MEMORY_BYTES, "cpu_seconds": 31}
    for request in requests:
        options = request["options"]
        assert options["protocol_whitelist"] == "file"
        assert options["format_whitelist"].split(",")[0] == request["demuxer"]
        assert request["url"].startswith("file:/")
        if request["demuxer"] == "mov":
            assert (options["enable_drefs"], options["use_absolute_path"]) == ("0", "0")
