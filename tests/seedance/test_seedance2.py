"""Seedance2 API (shared/seeds/002_f203a5308ec3fedc.txt): modes, pixel sizes, limits, bodies, credits."""

from __future__ import annotations

import pytest

from .builders import audio, audios, errors, image, images, run, video, videos, warnings


@pytest.mark.parametrize(
    ("aspect_ratio", "pixels"),
    [
        pytest.param("1:1", "720x720", id="002:59-1:1"),
        pytest.param("3:4", "720x960", id="002:59-3:4"),
        pytest.param("4:3", "960x720", id="002:59-4:3"),
        pytest.param("16:9", "1280x720", id="002:59-16:9"),
        pytest.param("9:16", "720x1280", id="002:59-9:16"),
        pytest.param("21:9", "1280x540", id="002:59-21:9"),
    ],
)
def test_the_aspect_ratio_is_sent_as_a_pixel_size(aspect_ratio, pixels):
    assert run("seedance2", aspect_ratio=aspect_ratio).request_body["inputs"]["resolution"] == pixels


@pytest.mark.parametrize("resolution", ["480p", "1080p"], ids=["002:59-no-480p", "002:59-no-1080p"])
def test_only_720_class_sizes_exist(resolution):
    assert errors(run("seedance2", resolution=resolution)) == {"resolution.unsupported"}


@pytest.mark.parametrize(
    ("duration", "wire"), [(4, "4s"), (5, "5s"), (15, "15s")], ids=["002:58-4s", "002:58-5s", "002:58-15s"]
)
def test_durations_are_strings_with_an_s(duration, wire):
    assert run("seedance2", duration=duration).request_body["inputs"]["duration"] == wire


@pytest.mark.parametrize(
    ("references", "code"),
    [
        pytest.param(images(9) + videos(3, seconds=4), None, id="002:135-nine-images-three-videos"),
        pytest.param(images(10), "images.too_many", id="002:135-ten-images"),
        pytest.param([image(), *videos(4, seconds=3)], "videos.too_many", id="002:135-four-videos"),
        pytest.param([image(), *audios(4, seconds=3)], "audios.too_many", id="002:135-four-audios"),
        pytest.param(
            images(7) + videos(3, seconds=3) + audios(3, seconds=3), "references.too_many", id="002:136-thirteen-files"
        ),
        pytest.param(images(6) + videos(3, seconds=3) + audios(3, seconds=3), None, id="002:136-twelve-files"),
    ],
)
def test_reference_counts(references, code):
    assert errors(run("seedance2", *references)) == ({code} if code else set())


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        pytest.param(video(seconds=15), None, id="002:137-video-15s"),
        pytest.param(video(seconds="15.1"), "reference.too_long", id="002:137-video-15.1s"),
        pytest.param(audio(seconds=16), "reference.too_long", id="002:137-audio-16s"),
        pytest.param(image(width=400, height=1000), None, id="002:138-image-400px"),
        pytest.param(image(width=1000, height=399), "reference.too_small", id="002:138-image-399px"),
    ],
)
def test_each_file(reference, code):
    # "Reference Constraints" (002 lines 134-138) are Multi-Reference rules: checked in reference mode.
    references = (reference,) if reference.kind != "audio" else (image(), reference)
    assert errors(run("seedance2", *references, mode="omni_reference")) == ({code} if code else set())


@pytest.mark.parametrize(
    "references",
    [
        pytest.param((image(width=320, height=240),), id="002:61-79-image-to-video"),
        pytest.param((image("a", width=320, height=240), image("b", width=240, height=320)), id="002:80-103-keyframe"),
    ],
)
def test_small_first_and_last_frames_are_not_refused(references):
    """002 lines 134-138: the 400 px short side is one of the "Reference Constraints" under Multi-Reference
    (lines 104-138); the Image to Video (61-79) and First & Last Frame (80-103) sections set no size limit."""
    evaluation = run("seedance2", *references, aspect_ratio="4:3")
    assert (evaluation.mode, evaluation.findings) == ("first_last_frames", ())
    assert evaluation.request_body["inputs"]["urls"] == [r.url for r in references]


def test_small_reference_images_are_still_refused_with_the_fix():
    # 002 line 138, under Multi-Reference (002 lines 104-138).
    evaluation = run("seedance2", image(width=320, height=240), video())
    (finding,) = evaluation.errors
    assert (finding.code, finding.reference, finding.source) == ("reference.too_small", "@image1", "002:138")
    assert finding.message == (
        "@image1 is 320x240; Seedance2 API needs images at least 400 px on the shorter side: use a larger one."
    )


def test_videos_add_up_freely_when_each_is_at_most_15_s():
    assert run("seedance2", *videos(3, seconds=15)).is_valid


def test_formats_are_undocumented_so_only_warned():
    evaluation = run("seedance2", image(fmt="gif"))
    assert evaluation.is_valid and warnings(evaluation) == {"reference.format_undocumented"}


@pytest.mark.parametrize(
    ("kind_ref", "ok"),
    [
        pytest.param(image(url="asset://asset-20260326-abc123"), True, id="002:76-image-asset"),
        pytest.param(video(url="asset://asset-20260326-abc123"), False, id="002:127-video-no-asset"),
    ],
)
def test_asset_references_for_images_only(kind_ref, ok):
    evaluation = run("seedance2", image("x"), kind_ref, mode="omni_reference")
    assert errors(evaluation) == (set() if ok else {"reference.asset_not_allowed"})


@pytest.mark.parametrize(
    ("references", "prompt", "code"),
    [
        pytest.param((), "", "prompt.missing", id="002:143-required-for-text"),
        pytest.param((image(),), "", None, id="002:77-optional-with-image"),
    ],
)
def test_prompt_is_required_for_text_to_video_only(references, prompt, code):
    evaluation = run("seedance2", *references, prompt=prompt)
    assert errors(evaluation) == ({code} if code else set())


@pytest.mark.parametrize(
    ("value", "ok"), [("2k", True), ("4k", True), ("8k", False)], ids=["002:60-2k", "002:60-4k", "002:60-no-8k"]
)
def test_upscale(value, ok):
    evaluation = run("seedance2", extras={"upscale": value})
    assert evaluation.is_valid is ok
    assert (evaluation.request_body or {}).get("inputs", {}).get("upscaleResolution") == (value if ok else None)


@pytest.mark.parametrize(
    ("references", "video_input_mode"),
    [
        pytest.param((image(),), None, id="002:148-image-to-video"),
        pytest.param(tuple(images(2)), "keyframe", id="002:148-keyframe"),
    ],
)
@pytest.mark.parametrize(("aspect_ratio", "pixels"), [("9:16", "720x1280"), ("16:9", "1280x720"), ("1:1", "720x720")])
def test_frames_modes_send_the_aspect_ratio_as_a_pixel_size_too(references, video_input_mode, aspect_ratio, pixels):
    """002 line 148: the full parameter list has `resolution` optional in every mode, with the pixel sizes of
    line 59, so the creative's aspect ratio is sent in image-to-video and keyframe requests as well."""
    evaluation = run("seedance2", *references, aspect_ratio=aspect_ratio)
    assert evaluation.findings == ()
    inputs = evaluation.request_body["inputs"]
    assert (inputs["resolution"], inputs.get("videoInputMode")) == (pixels, video_input_mode)


def test_auto_in_frames_modes_leaves_the_size_to_the_image():
    # 002 lines 66-73 and 85-96: the document's own frames examples carry no resolution.
    evaluation = run("seedance2", image(), aspect_ratio="auto")
    assert evaluation.findings == () and "resolution" not in evaluation.request_body["inputs"]


def test_auto_aspect_ratio_is_refused_where_a_size_is_sent():
    # 002:132: resolution is required in reference mode.
    assert errors(run("seedance2", image(), video(), aspect_ratio="auto")) == {"aspect_ratio.auto_not_allowed"}


def test_seed_and_silent_audio_are_not_supported():
    assert warnings(run("seedance2", seed=1, generate_audio=False)) == {
        "seed.unsupported",
        "generate_audio.unsupported",
    }


# Golden request bodies, one per request shape ------------------------------------------------------------


def test_golden_text_to_video():
    # 002:47-54.
    evaluation = run(
        "seedance2",
        prompt="A futuristic city with flying cars at night, neon lights reflecting on wet streets",
        aspect_ratio="16:9",
    )
    assert evaluation.request_body == {
        "model": "seedance2",
        "inputs": {
            "prompt": "A futuristic city with flying cars at night, neon lights reflecting on wet streets",
            "duration": "5s",
            "resolution": "1280x720",
        },
    }


def test_golden_image_to_video():
    # 002:66-73.
    evaluation = run(
        "seedance2",
        image("p", url="https://example.com/photo.jpg", fmt="jpg"),
        prompt="The woman slowly turns her head and smiles",
        aspect_ratio="auto",
    )
    assert evaluation.request_body == {
        "model": "seedance2",
        "inputs": {
            "urls": ["https://example.com/photo.jpg"],
            "prompt": "The woman slowly turns her head and smiles",
            "duration": "5s",
        },
    }


def test_golden_first_and_last_frame():
    # 002:85-96.
    evaluation = run(
        "seedance2",
        image("a", url="https://example.com/first-frame.jpg", fmt="jpg"),
        image("b", url="https://example.com/last-frame.jpg", fmt="jpg"),
        prompt="Smooth camera transition from day to night",
        aspect_ratio="auto",
    )
    assert evaluation.request_body == {
        "model": "seedance2",
        "inputs": {
            "urls": ["https://example.com/first-frame.jpg", "https://example.com/last-frame.jpg"],
            "prompt": "Smooth camera transition from day to night",
            "duration": "5s",
            "videoInputMode": "keyframe",
        },
    }


def test_golden_multi_reference():
    # 002:109-123.
    evaluation = run(
        "seedance2",
        image("r1", url="https://example.com/ref1.jpg", fmt="jpg"),
        image("r2", url="https://example.com/ref2.jpg", fmt="jpg"),
        video("m", url="https://example.com/motion-ref.mp4"),
        audio("a", url="https://example.com/audio.mp3"),
        prompt="Character walks through a garden",
        aspect_ratio="16:9",
    )
    assert evaluation.request_body == {
        "model": "seedance2",
        "inputs": {
            "urls": ["https://example.com/ref1.jpg", "https://example.com/ref2.jpg"],
            "videoUrls": ["https://example.com/motion-ref.mp4"],
            "audioUrls": ["https://example.com/audio.mp3"],
            "prompt": "Character walks through a garden",
            "duration": "5s",
            "videoInputMode": "reference",
            "resolution": "1280x720",
        },
    }


# Credits: every cell of 002:154-159 (5 s), then the conversion to studio credits -------------------------


@pytest.mark.parametrize(
    ("tier", "references", "upscale", "credits"),
    [
        pytest.param("seedance2", (), None, 200, id="002:156-base"),
        pytest.param("seedance2-fast", (), None, 160, id="002:156-fast-base"),
        pytest.param("seedance2", (), "2k", 300, id="002:157-2k"),
        pytest.param("seedance2-fast", (), "2k", 260, id="002:157-fast-2k"),
        pytest.param("seedance2", (), "4k", 400, id="002:158-4k"),
        pytest.param("seedance2-fast", (), "4k", 360, id="002:158-fast-4k"),
        pytest.param("seedance2", (image(), video()), None, 400, id="002:159-reference-video"),
        pytest.param("seedance2-fast", (image(), video()), None, 320, id="002:159-fast-reference-video"),
        pytest.param("seedance2", (image(), video()), "2k", 500, id="002:159-reference-video-plus-upscale"),
        pytest.param("seedance2", (image(), image("b"), image("c")), None, 200, id="002:159-reference-without-video"),
    ],
)
def test_credit_formula(tier, references, upscale, credits):
    extras = {"upscale": upscale} if upscale else {}
    quote = run("seedance2", *references, tier=tier, extras=extras).quote
    assert quote.currency == "SEEDANCE2_CREDITS" and quote.amount == credits
    assert quote.studio_credits == credits // 2  # default: 1 Seedance2 credit = 0.5 studio credit


def test_credit_summary_reads_like_the_table():
    quote = run("seedance2", image(), video(), extras={"upscale": "4k"}, duration=10).quote
    # "(estimated)": the default value of a Seedance2 credit is the studio's guess (pricing.py).
    assert quote.summary == (
        "10 s x 40 credits x 2 (reference with video) + 10 s 4K upscale x 40 credits "
        "= 1200 Seedance2 credits -> 600 credits (estimated)"
    )
