"""HiAPI (shared/seeds/003_bc94c502d4abd21f.txt): fields, limits, golden bodies and configurable prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seedance_studio.seedance import evaluate

from .builders import audio, audios, comp, errors, framed, image, images, run, video, videos, warnings


@pytest.mark.parametrize(
    ("prompt", "code"),
    [
        pytest.param("", "prompt.missing", id="003:64-required"),
        pytest.param("ab", "prompt.too_short", id="003:66-two-characters"),
        pytest.param("abc", None, id="003:66-three-characters"),
        pytest.param("x" * 20000, None, id="003:66-20000"),
        pytest.param("x" * 20001, "prompt.too_long", id="003:66-20001"),
    ],
)
def test_prompt_length(prompt, code):
    assert errors(run("hiapi", prompt=prompt)) == ({code} if code else set())


@pytest.mark.parametrize(
    "mode_refs", [(), (image(),), (image(), video())], ids=["003:72-text", "003:72-frames", "003:72-references"]
)
def test_adaptive_aspect_ratio_in_every_mode(mode_refs):
    evaluation = run("hiapi", *mode_refs, aspect_ratio="auto")
    assert evaluation.is_valid and evaluation.request_body["input"]["aspect_ratio"] == "adaptive"


@pytest.mark.parametrize(
    ("resolution", "ok"),
    [("480p", True), ("720p", True), ("1080p", True), ("2k", False)],
    ids=["003:82-480p", "003:82-720p", "003:82-1080p", "003:80-no-2k"],
)
def test_resolutions(resolution, ok):
    assert run("hiapi", resolution=resolution).is_valid is ok


def test_default_resolution_is_720p_sent_explicitly():
    assert run("hiapi").request_body["input"]["resolution"] == "720p"  # 003:82


@pytest.mark.parametrize(
    ("references", "code"),
    [
        pytest.param(images(9), None, id="003:93-nine-images"),
        pytest.param(images(10), "images.too_many", id="003:93-ten-images"),
        pytest.param([image(), *videos(3, seconds=4)], None, id="003:97-three-videos"),
        pytest.param([image(), *videos(4, seconds=3)], "videos.too_many", id="003:97-four-videos"),
        pytest.param([image(), *audios(3)], None, id="003:101-three-audios"),
        pytest.param([image(), *audios(4)], "audios.too_many", id="003:101-four-audios"),
    ],
)
def test_reference_counts(references, code):
    assert errors(run("hiapi", *references)) == ({code} if code else set())


@pytest.mark.parametrize(
    ("seed", "ok"),
    [(0, True), (2147483647, True), (-1, False), (2147483648, False), ("7", False)],
    ids=["003:124-zero", "003:124-max", "003:124-negative", "003:124-too-big", "003:124-text"],
)
def test_seed_range(seed, ok):
    evaluation = run("hiapi", seed=seed)
    assert errors(evaluation) == (set() if ok else {"seed.out_of_range"})
    assert not ok or evaluation.request_body["input"]["seed"] == seed


@pytest.mark.parametrize(
    ("extras", "expected"),
    [
        pytest.param({"web_search": True}, {"web_search": True}, id="003:113-web-search"),
        pytest.param({"nsfw_checker": True}, {"nsfw_checker": True}, id="003:117-nsfw-checker"),
        pytest.param({"return_last_frame": True}, {"return_last_frame": True}, id="003:103-return-last-frame"),
        pytest.param(
            {"return_last_frame": False, "web_search": False},
            {"return_last_frame": False, "web_search": False},
            id="003:107-explicit-false",
        ),
    ],
)
def test_extras_go_into_input(extras, expected):
    body = run("hiapi", extras=extras).request_body["input"]
    assert {key: body[key] for key in expected} == expected


def test_extras_must_be_booleans():
    assert errors(run("hiapi", extras={"web_search": "yes"})) == {"extras.invalid"}


@pytest.mark.parametrize(
    ("mode", "ok"),
    [
        pytest.param("first_last_frames", True, id="003:85-frame-asset-id"),
        pytest.param("omni_reference", False, id="003:91-reference-urls-only"),
    ],
)
def test_asset_ids_for_frames_only(mode, ok):
    evaluation = run("hiapi", image(url="asset://asset-1"), mode=mode)
    assert errors(evaluation) == (set() if ok else {"reference.asset_not_allowed"})


def test_formats_are_undocumented_so_only_warned():
    evaluation = run("hiapi", image(), video(fmt="webm"))
    assert evaluation.is_valid and warnings(evaluation) == {"reference.format_undocumented"}


# Golden request bodies -----------------------------------------------------------------------------------


def test_golden_basic_text_to_video():
    # 003:148-157, byte for byte.
    evaluation = run(
        "hiapi",
        prompt="A ceramic cup gently rotating on a clean studio table",
        aspect_ratio="16:9",
        duration=4,
        resolution="480p",
        generate_audio=False,
    )
    assert evaluation.request_body == {
        "model": "seedance-2-0",
        "input": {
            "prompt": "A ceramic cup gently rotating on a clean studio table",
            "aspect_ratio": "16:9",
            "duration": 4,
            "resolution": "480p",
            "generate_audio": False,
        },
    }


def test_golden_first_frame_image_to_video():
    # 003:163-173.
    evaluation = run(
        "hiapi",
        image("f", url="https://example.com/first.jpg", fmt="jpg"),
        prompt="Animate the product with a slow cinematic push-in",
        aspect_ratio="16:9",
        resolution="720p",
        generate_audio=False,
    )
    assert evaluation.request_body == {
        "model": "seedance-2-0",
        "input": {
            "prompt": "Animate the product with a slow cinematic push-in",
            "aspect_ratio": "16:9",
            "duration": 5,
            "resolution": "720p",
            "first_frame_url": "https://example.com/first.jpg",
            "generate_audio": False,
        },
    }


def test_golden_first_and_last_frame():
    # 003:83-89, 003:209.
    evaluation = run(
        "hiapi",
        image("f", url="https://example.com/first.jpg"),
        image("l", url="https://example.com/last.jpg"),
        prompt="@image1 becomes @image2",
    )
    body = evaluation.request_body["input"]
    assert (body["first_frame_url"], body["last_frame_url"]) == (
        "https://example.com/first.jpg",
        "https://example.com/last.jpg",
    )
    assert not any(key.startswith("reference_") for key in body)


def test_golden_multimodal_references():
    # 003:91-101.
    evaluation = run(
        "hiapi",
        image("i", url="https://example.com/i.png"),
        video("v", url="https://example.com/v.mp4"),
        audios(1, url="https://example.com/a.mp3")[0],
        prompt="@image1 dances like @video1 to @audio1",
        aspect_ratio="9:16",
        resolution="1080p",
        duration=8,
        seed=7,
    )
    assert evaluation.request_body == {
        "model": "seedance-2-0",
        "input": {
            "prompt": "@image1 dances like @video1 to @audio1",
            "aspect_ratio": "9:16",
            "duration": 8,
            "resolution": "1080p",
            "generate_audio": True,
            "reference_image_urls": ["https://example.com/i.png"],
            "reference_video_urls": ["https://example.com/v.mp4"],
            "reference_audio_urls": ["https://example.com/a.mp3"],
            "seed": 7,
        },
    }


# Prices: configuration (003:15, seeds/README.md) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("resolution", "unit"),
    [("480p", "0.10"), ("720p", "0.20"), ("1080p", "0.50")],
    ids=["placeholder-480p", "placeholder-720p", "placeholder-1080p"],
)
def test_placeholder_prices_are_marked_as_such(resolution, unit):
    quote = run("hiapi", resolution=resolution).quote
    assert (quote.amount, quote.source, quote.estimated) == (Decimal(unit) * 5, "placeholder", True)


def test_configured_prices_replace_the_placeholders():
    # 003:213: priced per second of generated video, so the 6 s input video adds no term.
    config = {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.24"}}}}
    quote = evaluate(comp("hiapi", image(), video(seconds=6)), config).quote
    assert quote.summary == "5 s x $0.24 = $1.20 -> 120 credits" and quote.source == "configured"
    assert not quote.estimated


def test_a_video_without_a_known_duration_cannot_be_priced():
    evaluation = run("hiapi", image(), video(seconds=None))
    assert errors(evaluation) == {"reference.unprobed"}


# Frames beside references, and a last frame alone (003 lines 83-93) ------------------------------------------


def test_first_and_last_frames_go_beside_reference_images():
    """003 lines 83-93: first_frame_url, last_frame_url and reference_image_urls are separate optional fields,
    and "Combined count with first/last frames should not exceed 9" (line 93) means they may come together."""
    first = framed(image("f", url="https://example.com/first.jpg"), "first")
    last = framed(image("l", url="https://example.com/last.jpg"), "last")
    refs = [image(f"r{i}", url=f"https://example.com/ref{i}.png") for i in (1, 2)]
    evaluation = run("hiapi", first, *refs, last, video("v", url="https://example.com/v.mp4"))
    assert (evaluation.mode, evaluation.findings) == ("omni_reference", ())
    body = evaluation.request_body["input"]
    assert body["first_frame_url"] == "https://example.com/first.jpg"
    assert body["last_frame_url"] == "https://example.com/last.jpg"
    assert body["reference_image_urls"] == ["https://example.com/ref1.png", "https://example.com/ref2.png"]
    assert body["reference_video_urls"] == ["https://example.com/v.mp4"]


@pytest.mark.parametrize(
    ("references", "code"),
    [
        pytest.param([framed(image("f"), "first"), framed(image("l"), "last"), *images(7)], None, id="003:93-2+7"),
        pytest.param(
            [framed(image("f"), "first"), framed(image("l"), "last"), *images(8)], "images.too_many", id="003:93-2+8"
        ),
        pytest.param([framed(image("f"), "first"), *images(8)], None, id="003:93-1+8"),
    ],
)
def test_frames_and_reference_images_share_the_limit_of_nine(references, code):
    # 003 line 93: "Combined count with first/last frames should not exceed 9".
    evaluation = run("hiapi", *references, mode="omni_reference")
    assert errors(evaluation) == ({code} if code else set())


@pytest.mark.parametrize("mode", ["auto", "first_last_frames"])
def test_a_last_frame_may_come_alone(mode):
    """003 lines 83-89: first_frame_url and last_frame_url are each optional, so a last frame is sent alone."""
    evaluation = run("hiapi", framed(image("l", url="https://example.com/last.jpg"), "last"), mode=mode)
    assert (evaluation.mode, evaluation.findings) == ("first_last_frames", ())
    body = evaluation.request_body["input"]
    assert body["last_frame_url"] == "https://example.com/last.jpg" and "first_frame_url" not in body


def test_named_frames_need_no_particular_order():
    # 003 lines 83-89: the fields name the frames, so the last frame may come first among the references.
    evaluation = run(
        "hiapi",
        framed(image("l", url="https://example.com/last.jpg"), "last"),
        image("f", url="https://example.com/first.jpg"),
    )
    body = evaluation.request_body["input"]
    assert evaluation.findings == ()
    assert (body["first_frame_url"], body["last_frame_url"]) == (
        "https://example.com/first.jpg",
        "https://example.com/last.jpg",
    )


def test_a_frame_beside_references_may_be_an_asset_id():
    # 003 lines 85 and 89: "URL or asset id" for the frame fields; reference_image_urls take URLs (line 93).
    evaluation = run("hiapi", framed(image("f", url="asset://asset-1"), "first"), image("r"), video())
    assert evaluation.is_valid and evaluation.request_body["input"]["first_frame_url"] == "asset://asset-1"
    assert errors(run("hiapi", framed(image("f"), "first"), image("r", url="asset://asset-2"), video())) == {
        "reference.asset_not_allowed"
    }


def test_audio_beside_a_frame_has_a_picture():
    assert run("hiapi", framed(image("f"), "first"), audio(), mode="omni_reference").findings == ()
