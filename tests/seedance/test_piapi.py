"""PiAPI (shared/seeds/000_9ea3d46214601d5a.txt): tiers, rules, golden request bodies and the price table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .builders import audio, audios, errors, image, images, run, video, videos, warnings

TIERS = [
    "seedance-2",
    "seedance-2-fast",
    "seedance-2-mini",
    "seedance-2-less-restriction",
    "seedance-2-fast-less-restriction",
]


@pytest.mark.parametrize("tier", TIERS, ids=[f"000:262-266-{t}" for t in TIERS])
def test_it_offers_the_five_tiers(tier):
    evaluation = run("piapi", tier=tier, resolution="720p")
    assert evaluation.is_valid and evaluation.request_body["task_type"] == tier


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("seedance-2-preview", "seedance-2", id="000:274"),
        pytest.param("seedance-2-fast-preview", "seedance-2-fast", id="000:275"),
        pytest.param("seedance-2-preview-vip", "seedance-2", id="000:276"),
        pytest.param("seedance-2-fast-preview-vip", "seedance-2-fast", id="000:277"),
    ],
)
def test_deprecated_names_map_to_their_successor(old, new):
    evaluation = run("piapi", tier=old, resolution="720p")
    assert (evaluation.tier, evaluation.request_body["task_type"]) == (new, new)
    assert warnings(evaluation) == {"tier.deprecated"} and evaluation.is_valid


@pytest.mark.parametrize(
    ("tier", "resolution", "code"),
    [
        pytest.param("seedance-2", "1080p", None, id="000:285-pro-1080p"),
        pytest.param("seedance-2-fast", "1080p", "resolution.unsupported", id="000:295-fast-no-1080p"),
        pytest.param(
            "seedance-2-fast-less-restriction", "1080p", "resolution.unsupported", id="000:366-fast-lr-no-1080p"
        ),
        pytest.param("seedance-2-less-restriction", "1080p", None, id="000:291-lr-1080p"),
        pytest.param("seedance-2-mini", "480p", "resolution.unsupported", id="000:296-mini-no-480p"),
        pytest.param("seedance-2-mini", "1080p", "resolution.unsupported", id="000:367-mini-no-1080p"),
        pytest.param("seedance-2-mini", "720p", None, id="000:288-mini-720p"),
        pytest.param("seedance-2", "4k", "resolution.unsupported", id="000:365-no-4k"),
    ],
)
def test_resolutions_per_tier(tier, resolution, code):
    assert errors(run("piapi", tier=tier, resolution=resolution)) == ({code} if code else set())


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        pytest.param("seedance-2", "480p", id="000:365-formal-default-480p"),
        pytest.param("seedance-2-mini", "720p", id="000:367-mini-default-720p"),
    ],
)
def test_a_missing_resolution_is_the_documented_default_written_explicitly(tier, expected):
    evaluation = run("piapi", tier=tier)
    assert evaluation.request_body["input"]["resolution"] == expected


@pytest.mark.parametrize(
    ("references", "code"),
    [
        pytest.param((video(),), "reference.kind_not_allowed", id="000:268-mini-no-video"),
        pytest.param((image(), audio()), "reference.kind_not_allowed", id="000:339-mini-no-audio"),
        pytest.param(tuple(images(3)), "mode.unsupported", id="000:339-mini-no-omni"),
    ],
)
def test_mini_takes_no_video_audio_or_omni(references, code):
    evaluation = run("piapi", *references, tier="seedance-2-mini")
    assert code in errors(evaluation)


def test_mini_does_frames():
    assert run("piapi", *images(2), tier="seedance-2-mini").is_valid


@pytest.mark.parametrize(
    ("count", "ok"),
    [
        pytest.param(9, True, id="000:338-nine"),
        pytest.param(10, False, id="000:338-ten"),
    ],
)
def test_omni_takes_1_to_9_references_of_any_kind(count, ok):
    references = images(4) + videos(2, seconds=2) + audios(count - 6, seconds=2)
    evaluation = run("piapi", *references)
    assert evaluation.is_valid is ok
    assert ok or errors(evaluation) == {"references.too_many"}


@pytest.mark.parametrize(
    ("seconds", "ok"),
    [
        pytest.param(("7.7", "7.7"), True, id="000:304-exactly-15.4"),
        pytest.param(("7.7", "7.71"), False, id="000:304-over-15.4"),
    ],
)
def test_total_input_video_is_at_most_15_4_s(seconds, ok):
    evaluation = run("piapi", video("v1", seconds=seconds[0]), video("v2", seconds=seconds[1]))
    assert errors(evaluation) == (set() if ok else {"videos.total_too_long"})


@pytest.mark.parametrize(
    ("seconds", "ok"),
    [
        pytest.param((8, 7), True, id="000:373-total-15"),
        pytest.param((8, 8), False, id="000:334-total-over-15"),
    ],
)
def test_total_audio_is_at_most_15_s(seconds, ok):
    evaluation = run("piapi", image(), audio("a1", seconds=seconds[0]), audio("a2", seconds=seconds[1]))
    assert errors(evaluation) == (set() if ok else {"audios.total_too_long"})


@pytest.mark.parametrize(
    ("reference", "ok"),
    [
        pytest.param(image(fmt="jpg"), True, id="000:327-jpg"),
        pytest.param(image(fmt="JPEG"), True, id="000:327-jpeg"),
        pytest.param(image(fmt="webp_pipe"), True, id="000:327-webp-ffmpeg-name"),
        pytest.param(image(fmt="bmp"), True, id="000:327-bmp"),
        pytest.param(image(fmt="gif"), False, id="000:327-no-gif"),
        pytest.param(video(fmt="mov,mp4,m4a,3gp,3g2,mj2"), True, id="000:333-mov-mp4-demuxer"),
        pytest.param(video(fmt="webm"), False, id="000:333-no-webm"),
        pytest.param(audio(fmt="wav"), True, id="000:372-wav"),
        pytest.param(audio(fmt="aac"), False, id="000:372-no-aac"),
    ],
)
def test_formats_per_kind(reference, ok):
    references = (reference,) if reference.kind != "audio" else (image(), reference)
    evaluation = run("piapi", *references)
    assert errors(evaluation) == (set() if ok else {"reference.format_unsupported"})


@pytest.mark.parametrize(
    ("tier", "ok"),
    [
        pytest.param("seedance-2", False, id="000:419-strict-rejects-assets"),
        pytest.param("seedance-2-fast", False, id="000:469-strict-fast-rejects-assets"),
        pytest.param("seedance-2-less-restriction", True, id="000:424-lr-assets"),
        pytest.param("seedance-2-fast-less-restriction", True, id="000:456-fast-lr-assets"),
    ],
)
def test_asset_references_only_on_less_restriction(tier, ok):
    evaluation = run("piapi", image(url="asset://asset-20260608154633-rv7g2"), video(), tier=tier)
    assert errors(evaluation) == (set() if ok else {"reference.asset_not_allowed"})


@pytest.mark.parametrize(
    ("references", "mode", "ok"),
    [
        pytest.param((image(),), "first_last_frames", True, id="000:326-auto-in-frames"),
        pytest.param((), "text_to_video", False, id="000:355-no-auto-in-text"),
        pytest.param((image(), video()), "omni_reference", False, id="000:355-no-auto-in-omni"),
    ],
)
def test_auto_aspect_ratio_only_in_first_last_frames(references, mode, ok):
    evaluation = run("piapi", *references, mode=mode, aspect_ratio="auto")
    assert errors(evaluation) == (set() if ok else {"aspect_ratio.auto_not_allowed"})


def test_adaptive_is_read_as_auto():
    assert run("piapi", image(), aspect_ratio="adaptive").request_body["input"]["aspect_ratio"] == "auto"


def test_a_prompt_is_required():
    assert errors(run("piapi", image(), prompt="   ")) == {"prompt.missing"}


@pytest.mark.parametrize(
    ("tier", "sent", "code"),
    [
        pytest.param("seedance-2-less-restriction", True, None, id="000:425-lr-auto-upload"),
        pytest.param("seedance-2", False, "extras.ignored", id="000:468-ignored-on-strict"),
    ],
)
def test_auto_upload_assets(tier, sent, code):
    evaluation = run("piapi", image(), tier=tier, extras={"auto_upload_assets": True, "asset_retention_hours": 3})
    assert ("auto_upload_assets" in evaluation.request_body["input"]) is sent
    assert code is None or code in warnings(evaluation)


def test_seed_and_silent_audio_are_not_supported():
    evaluation = run("piapi", seed=42, generate_audio=False)
    assert warnings(evaluation) == {"seed.unsupported", "generate_audio.unsupported"} and evaluation.is_valid
    assert "seed" not in evaluation.request_body["input"]


# Golden request bodies -----------------------------------------------------------------------------------


def test_golden_text_to_video():
    # 000:485-493 (the example, without its webhook config, which the wire module adds:
    # tests/provider_api/test_callback_fields.py).
    evaluation = run(
        "piapi",
        tier="seedance-2-fast",
        prompt="A woman sings and strums her guitar",
        aspect_ratio="16:9",
        resolution="480p",
    )
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2-fast",
        "input": {
            "prompt": "A woman sings and strums her guitar",
            "mode": "text_to_video",
            "duration": 5,
            "aspect_ratio": "16:9",
            "resolution": "480p",
        },
    }


def test_golden_first_last_frames():
    # 000:321-327 and 000:410 (morphing).
    evaluation = run(
        "piapi",
        image("a", fmt="jpg", url="https://cdn.example.com/a.jpg"),
        image("b", url="https://cdn.example.com/b.png"),
        prompt="@image1 transforms into @image2",
        aspect_ratio="auto",
        duration=6,
        resolution="720p",
    )
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2",
        "input": {
            "prompt": "@image1 transforms into @image2",
            "mode": "first_last_frames",
            "duration": 6,
            "aspect_ratio": "auto",
            "resolution": "720p",
            "image_urls": ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.png"],
        },
    }


def test_golden_omni_reference():
    # 000:329-339 and 000:406.
    evaluation = run(
        "piapi",
        image("i", url="https://cdn.example.com/i.png"),
        video("v", url="https://cdn.example.com/v.mp4"),
        audio("a", url="https://cdn.example.com/a.mp3"),
        prompt="Apply @image1 artistic style with @video1 motion and @audio1 soundtrack",
        aspect_ratio="9:16",
        duration=10,
        resolution="1080p",
    )
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2",
        "input": {
            "prompt": "Apply @image1 artistic style with @video1 motion and @audio1 soundtrack",
            "mode": "omni_reference",
            "duration": 10,
            "aspect_ratio": "9:16",
            "resolution": "1080p",
            "image_urls": ["https://cdn.example.com/i.png"],
            "video_urls": ["https://cdn.example.com/v.mp4"],
            "audio_urls": ["https://cdn.example.com/a.mp3"],
        },
    }


def test_golden_less_restriction_with_assets():
    # 000:448-463, as omni_reference (references, not frames) at 720p.
    evaluation = run(
        "piapi",
        image("a", url="asset://asset-20260608154633-rv7g2"),
        image("b", url="https://your-cdn.com/scene-today.png"),
        tier="seedance-2-fast-less-restriction",
        mode="omni_reference",
        prompt="@image1 walks through @image2 at sunset",
        resolution="720p",
        extras={"auto_upload_assets": True},
    )
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2-fast-less-restriction",
        "input": {
            "prompt": "@image1 walks through @image2 at sunset",
            "mode": "omni_reference",
            "duration": 5,
            "aspect_ratio": "16:9",
            "resolution": "720p",
            "image_urls": ["asset://asset-20260608154633-rv7g2", "https://your-cdn.com/scene-today.png"],
            "auto_upload_assets": True,
        },
    }


# Prices: every row of 000:282-293, and the input-video formula of 000:297-299 ----------------------------


@pytest.mark.parametrize(
    ("tier", "resolution", "unit"),
    [
        pytest.param("seedance-2", "480p", "0.10", id="000:283"),
        pytest.param("seedance-2", "720p", "0.20", id="000:284"),
        pytest.param("seedance-2", "1080p", "0.50", id="000:285"),
        pytest.param("seedance-2-fast", "480p", "0.08", id="000:286"),
        pytest.param("seedance-2-fast", "720p", "0.16", id="000:287"),
        pytest.param("seedance-2-mini", "720p", "0.15", id="000:288"),
        pytest.param("seedance-2-less-restriction", "480p", "0.11", id="000:289"),
        pytest.param("seedance-2-less-restriction", "720p", "0.22", id="000:290"),
        pytest.param("seedance-2-less-restriction", "1080p", "0.55", id="000:291"),
        pytest.param("seedance-2-fast-less-restriction", "480p", "0.088", id="000:292"),
        pytest.param("seedance-2-fast-less-restriction", "720p", "0.176", id="000:293"),
    ],
)
def test_price_without_input_video(tier, resolution, unit):
    # 000:298: credits = unit_price x output_duration.
    quote = run("piapi", tier=tier, resolution=resolution, duration=10).quote
    assert quote.amount == Decimal(unit) * 10
    assert quote.currency == "USD" and quote.source == "document"
    assert quote.studio_credits == int(Decimal(unit) * 10 * 100)


def test_price_with_input_video_is_half_the_unit_per_second():
    # 000:299, and the issue's own example line.
    quote = run("piapi", video(seconds=6), tier="seedance-2-fast", resolution="720p").quote
    assert quote.summary == "5 s x $0.16 + 6 s input video x $0.08 = $1.28 -> 128 credits"
    assert (quote.amount, quote.studio_credits) == (Decimal("1.28"), 128)


def test_input_video_seconds_are_summed_and_rounded_up_to_a_credit():
    # 000:299 "total_input_video_duration"; 5 x 0.088 + 0.044 x 6.33 = 0.71852 -> 72 credits.
    quote = run(
        "piapi",
        video("v1", seconds="3.33"),
        video("v2", seconds=3),
        tier="seedance-2-fast-less-restriction",
        resolution="480p",
    ).quote
    assert quote.summary == "5 s x $0.088 + 6.33 s input video x $0.044 = $0.71852 -> 72 credits"


def test_mini_price_collapses_to_unit_times_output():
    # 000:296.
    assert run("piapi", image(), tier="seedance-2-mini").quote.summary == "5 s x $0.15 = $0.75 -> 75 credits"


@pytest.mark.parametrize(
    ("references", "mode"),
    [
        pytest.param((image(fmt="gif"), video()), "omni_reference", id="000:329-338-with-a-video"),
        pytest.param((image(fmt="gif"),), "omni_reference", id="000:329-338-image-alone"),
    ],
)
def test_an_unlisted_image_format_is_only_a_warning_in_omni_reference(references, mode):
    """000 line 327 lists image formats under first_last_frames only; the omni_reference section (lines
    329-338) names video and audio formats but none for images, so an unlisted one cannot be refused there."""
    evaluation = run("piapi", *references, mode=mode)
    assert evaluation.is_valid and warnings(evaluation) == {"reference.format_undocumented"}
    (finding,) = evaluation.warnings
    assert (finding.reference, finding.source) == ("@image1", "000:327")
    assert finding.message == (
        "@image1 is gif; PiAPI lists image formats (jpeg, png, webp or bmp) for first/last "
        "frames only, so it may or may not take it here: convert it to be safe."
    )


def test_an_unlisted_image_format_is_still_refused_in_first_last_frames():
    # 000 line 327: "Supported image formats: jpg, jpeg, png, webp, bmp" for first_last_frames.
    evaluation = run("piapi", image(fmt="gif"), mode="first_last_frames")
    assert errors(evaluation) == {"reference.format_unsupported"}
