"""EvoLink (shared/seeds/004_8f7010333526f07b.txt): six models, every numeric limit, bodies, prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seedance_studio.seedance import evaluate

from .builders import audio, audios, comp, errors, image, images, run, video, videos, warnings

MB = 2**20  # "MB" in 004 lines 31-44 read the larger way, as MiB (see providers/evolink.py)


@pytest.mark.parametrize(
    ("tier", "references", "model"),
    [
        pytest.param("standard", (), "seedance-2.0-text-to-video", id="004:12"),
        pytest.param("standard", (image(),), "seedance-2.0-image-to-video", id="004:13"),
        pytest.param("standard", (image(), video()), "seedance-2.0-reference-to-video", id="004:14"),
        pytest.param("fast", (), "seedance-2.0-fast-text-to-video", id="004:15"),
        pytest.param("fast", tuple(images(2)), "seedance-2.0-fast-image-to-video", id="004:16"),
        pytest.param("fast", (video(),), "seedance-2.0-fast-reference-to-video", id="004:17"),
    ],
)
def test_the_model_id_comes_from_mode_and_speed(tier, references, model):
    assert run("evolink", *references, tier=tier).request_body["model"] == model


@pytest.mark.parametrize(
    ("resolution", "ok"),
    [("480p", True), ("720p", True), ("1080p", False)],
    ids=["004:50-480p", "004:50-720p", "004:51-no-1080p"],
)
def test_quality(resolution, ok):
    evaluation = run("evolink", resolution=resolution)
    assert evaluation.is_valid is ok
    assert not ok or evaluation.request_body["quality"] == resolution


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        pytest.param(image(fmt="jpeg"), None, id="004:31-jpeg"),
        pytest.param(image(fmt="webp"), None, id="004:31-webp"),
        pytest.param(image(fmt="bmp"), "reference.format_unsupported", id="004:31-no-bmp"),
        pytest.param(image(width=1000, height=2500), None, id="004:31-ratio-0.4"),
        pytest.param(image(width=999, height=2500), "reference.aspect_out_of_range", id="004:31-ratio-below-0.4"),
        pytest.param(image(width=2500, height=1000), None, id="004:31-ratio-2.5"),
        pytest.param(image(width=2501, height=1000), "reference.aspect_out_of_range", id="004:31-ratio-above-2.5"),
        pytest.param(image(width=300, height=300), None, id="004:31-300px"),
        pytest.param(image(width=299, height=299), "reference.too_small", id="004:31-299px"),
        pytest.param(image(width=6000, height=6000), None, id="004:31-6000px"),
        pytest.param(image(width=6001, height=6000), "reference.too_large", id="004:31-6001px"),
        pytest.param(image(size=30 * MB), None, id="004:31-30MB"),
        pytest.param(image(size=30 * MB + 1), "reference.file_too_large", id="004:31-over-30MB"),
    ],
)
def test_image_limits(reference, code):
    assert errors(run("evolink", reference)) == ({code} if code else set())


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        pytest.param(video(fmt="mov"), None, id="004:37-mov"),
        pytest.param(video(fmt="webm"), "reference.format_unsupported", id="004:37-no-webm"),
        pytest.param(video(seconds=2), None, id="004:37-2s"),
        pytest.param(video(seconds="1.9"), "reference.too_short", id="004:37-under-2s"),
        pytest.param(video(seconds=15), None, id="004:37-15s"),
        pytest.param(video(seconds="15.2"), "reference.too_long", id="004:37-over-15s"),
        pytest.param(video(width=640, height=640), None, id="004:37-640x640-min-pixels"),
        pytest.param(video(width=640, height=639), "reference.pixels_out_of_range", id="004:37-below-409600"),
        pytest.param(video(width=834, height=1112), None, id="004:37-834x1112-max-pixels"),
        pytest.param(video(width=1920, height=1080), "reference.pixels_out_of_range", id="004:37-1080p-too-many"),
        pytest.param(video(width=1500, height=590), "reference.aspect_out_of_range", id="004:37-ratio-above-2.5"),
        pytest.param(video(fps=24), None, id="004:37-24fps"),
        pytest.param(video(fps="23.976"), "reference.fps_out_of_range", id="004:37-23.976fps"),
        pytest.param(video(fps=60), None, id="004:37-60fps"),
        pytest.param(video(fps=120), "reference.fps_out_of_range", id="004:37-120fps"),
        pytest.param(video(size=50 * MB), None, id="004:37-50MB"),
        pytest.param(video(size=50 * MB + 1), "reference.file_too_large", id="004:37-over-50MB"),
    ],
)
def test_video_limits(reference, code):
    assert errors(run("evolink", reference)) == ({code} if code else set())


@pytest.mark.parametrize(
    ("references", "code"),
    [
        pytest.param(videos(3, seconds=5), None, id="004:37-three-videos-15s"),
        pytest.param(videos(4, seconds=3), "videos.too_many", id="004:34-four-videos"),
        pytest.param(
            [video("v1", seconds=8), video("v2", seconds="7.1")], "videos.total_too_long", id="004:37-total-over-15s"
        ),
        pytest.param([*images(9), video()], None, id="004:31-nine-images"),
        pytest.param([*images(10), video()], "images.too_many", id="004:31-ten-images"),
        pytest.param([image(), *audios(3, seconds=5)], None, id="004:44-three-audios-15s"),
        pytest.param([image(), *audios(4, seconds=2)], "audios.too_many", id="004:41-four-audios"),
        pytest.param(
            [image(), audio("a1", seconds=10), audio("a2", seconds=6)],
            "audios.total_too_long",
            id="004:44-audio-total-over-15s",
        ),
    ],
)
def test_counts_and_totals(references, code):
    assert errors(run("evolink", *references)) == ({code} if code else set())


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        pytest.param(audio(fmt="wav"), None, id="004:44-wav"),
        pytest.param(audio(fmt="ogg"), "reference.format_unsupported", id="004:44-no-ogg"),
        pytest.param(audio(seconds="1.5"), "reference.too_short", id="004:44-under-2s"),
        pytest.param(audio(seconds=16), "reference.too_long", id="004:44-over-15s"),
        pytest.param(audio(size=15 * MB), None, id="004:44-15MB"),
        pytest.param(audio(size=15 * MB + 1), "reference.file_too_large", id="004:44-over-15MB"),
    ],
)
def test_audio_limits(reference, code):
    assert errors(run("evolink", image(), reference)) == ({code} if code else set())


def test_every_probed_fact_it_checks_is_needed():
    evaluation = run("evolink", video(fps=None, size=None))
    (finding,) = [f for f in evaluation.findings if f.code == "reference.unprobed"]
    assert "frame rate and file size" in finding.message


@pytest.mark.parametrize(
    ("references", "ok"),
    [
        pytest.param((), True, id="004:69-text-to-video"),
        pytest.param((image(), video()), False, id="004:69-not-for-reference"),
    ],
)
def test_web_search_is_for_text_to_video_only(references, ok):
    evaluation = run("evolink", *references, extras={"web_search": True})
    assert evaluation.is_valid
    assert ("model_params" in evaluation.request_body) is ok
    assert ok or warnings(evaluation) == {"extras.ignored"}


@pytest.mark.parametrize(
    ("prompt", "warned"),
    [
        pytest.param("猫" * 500, False, id="004:19-500-chinese"),
        pytest.param("猫" * 501, True, id="004:19-501-chinese"),
        pytest.param("word " * 1000, False, id="004:19-1000-words"),
        pytest.param("word " * 1001, True, id="004:19-1001-words"),
    ],
)
def test_prompt_length_advice_is_a_warning(prompt, warned):
    evaluation = run("evolink", prompt=prompt)
    assert evaluation.is_valid and ("prompt.long" in warnings(evaluation)) is warned


def test_seed_is_not_supported_but_audio_can_be_turned_off():
    evaluation = run("evolink", seed=3, generate_audio=False)
    assert warnings(evaluation) == {"seed.unsupported"}
    assert evaluation.request_body["generate_audio"] is False  # 004:66


def test_asset_references_are_not_documented_for_evolink():
    assert errors(run("evolink", image(url="asset://asset-1"))) == {"reference.asset_not_allowed"}


# Golden request bodies -----------------------------------------------------------------------------------


def test_golden_text_to_video_with_web_search():
    evaluation = run(
        "evolink", prompt="一只猫在钢琴上弹奏月光奏鸣曲,电影感光影,特写镜头", duration=8, extras={"web_search": True}
    )
    assert evaluation.request_body == {
        "model": "seedance-2.0-text-to-video",
        "prompt": "一只猫在钢琴上弹奏月光奏鸣曲,电影感光影,特写镜头",
        "duration": 8,
        "quality": "720p",
        "aspect_ratio": "16:9",
        "generate_audio": True,
        "model_params": {"web_search": True},
    }


def test_golden_image_to_video_first_and_last_frame():
    # 004:24-28: 1st image -> first frame, 2nd -> last frame.
    evaluation = run(
        "evolink",
        image("f", url="https://example.com/first.jpg", fmt="jpg"),
        image("l", url="https://example.com/last.jpg", fmt="jpg"),
        tier="fast",
        prompt="@image1 turns into @image2",
        aspect_ratio="adaptive",
        resolution="480p",
        duration=6,
    )
    assert evaluation.request_body == {
        "model": "seedance-2.0-fast-image-to-video",
        "prompt": "image 1 turns into image 2",
        "image_urls": ["https://example.com/first.jpg", "https://example.com/last.jpg"],
        "duration": 6,
        "quality": "480p",
        "aspect_ratio": "adaptive",
        "generate_audio": True,
    }


def test_golden_reference_to_video():
    evaluation = run(
        "evolink",
        image("p", url="https://example.com/image1.jpg", fmt="jpg"),
        video("r", url="https://example.com/reference.mp4"),
        audio("b", url="https://example.com/bgm.mp3"),
        prompt="Use @video1's camera move, @image1 as the product, @audio1 as music",
        duration=10,
    )
    assert evaluation.request_body == {
        "model": "seedance-2.0-reference-to-video",
        "prompt": "Use video 1's camera move, image 1 as the product, audio 1 as music",
        "image_urls": ["https://example.com/image1.jpg"],
        "video_urls": ["https://example.com/reference.mp4"],
        "audio_urls": ["https://example.com/bgm.mp3"],
        "duration": 10,
        "quality": "720p",
        "aspect_ratio": "16:9",
        "generate_audio": True,
    }


# Prices: configuration (seeds/README.md "Prices are not in the document") -----------------------------------


@pytest.mark.parametrize(
    ("tier", "resolution", "unit"),
    [
        ("standard", "480p", "0.10"),
        ("standard", "720p", "0.20"),
        ("fast", "480p", "0.08"),
        ("fast", "720p", "0.16"),
    ],
)
def test_placeholder_prices(tier, resolution, unit):
    quote = run("evolink", tier=tier, resolution=resolution).quote
    assert (quote.amount, quote.source, quote.estimated) == (Decimal(unit) * 5, "placeholder", True)


def test_configured_prices_and_input_video():
    # No input-video term by default (tests/seedance/test_pricing.py); an admin may configure one.
    config = {"usd_per_second": {"evolink": {"fast": {"720p": "0.12"}}}, "input_video_factor": {"evolink": "0.5"}}
    quote = evaluate(comp("evolink", video(seconds=4), tier="fast"), config).quote
    assert quote.summary == "5 s x $0.12 + 4 s input video x $0.06 = $0.84 -> 84 credits"


@pytest.mark.parametrize("references", [(), (image(), video())], ids=["004:54-adaptive-text", "004:54-adaptive-ref"])
def test_adaptive_in_every_mode(references):
    assert run("evolink", *references, aspect_ratio="auto").request_body["aspect_ratio"] == "adaptive"


def test_golden_image_to_video_first_frame():
    # 004:27: one image is the first frame.
    evaluation = run(
        "evolink",
        image("f", url="https://example.com/image1.jpg", fmt="jpg"),
        prompt="The camera slowly zooms in on @image1",
        aspect_ratio="auto",
    )
    assert evaluation.request_body == {
        "model": "seedance-2.0-image-to-video",
        "prompt": "The camera slowly zooms in on image 1",
        "image_urls": ["https://example.com/image1.jpg"],
        "duration": 5,
        "quality": "720p",
        "aspect_ratio": "adaptive",
        "generate_audio": True,
    }


@pytest.mark.parametrize(
    ("reference", "documented"),
    [
        pytest.param(image(size=31_000_000), "30MB", id="004:31-image-31-million-bytes"),
        pytest.param(video(size=52_000_000), "50MB", id="004:37-video-52-million-bytes"),
        pytest.param(audio(size=15_500_000), "15MB", id="004:44-audio-15.5-million-bytes"),
    ],
)
def test_a_file_within_either_reading_of_mb_is_let_through(reference, documented):
    """004 lines 31, 37 and 44 give "30MB", "50MB", "15MB" without saying whether MB is 10^6 or 2^20 bytes:
    the studio takes the larger reading, so these files (over 10^6-byte MB, under MiB) are sent, not refused."""
    references = (reference,) if reference.kind != "audio" else (image(), reference)
    assert run("evolink", *references).is_valid


def test_a_file_over_the_limit_says_its_size_in_the_same_megabytes():
    # 004 line 31: "30MB", read as 30 x 2^20 bytes.
    (finding,) = run("evolink", image(size=32 * MB)).errors
    assert (finding.code, finding.source) == ("reference.file_too_large", "004:31")
    assert finding.message == "@image1 is 32 MB; EvoLink takes image files up to 30 MB: compress it."
