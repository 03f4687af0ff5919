"""GoAPI (shared/seeds/001_972d478171c6ac8f.txt): where it differs from PiAPI, golden bodies and prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .builders import audio, audios, errors, image, images, run, video, videos, warnings


@pytest.mark.parametrize("tier", ["seedance-2", "seedance-2-fast"], ids=["001:266", "001:267"])
def test_it_offers_two_tiers(tier):
    assert run("goapi", tier=tier).request_body["task_type"] == tier


@pytest.mark.parametrize("tier", ["seedance-2-mini", "seedance-2-less-restriction"])
def test_piapi_only_tiers_are_unknown(tier):
    assert errors(run("goapi", tier=tier)) == {"tier.unknown"}


@pytest.mark.parametrize(
    ("references", "mode"),
    [
        pytest.param((), "text_to_video", id="001:285-text"),
        pytest.param((image(),), "first_last_frames", id="001:285-frames"),
        pytest.param((image(), video()), "omni_reference", id="001:285-omni"),
    ],
)
def test_mode_is_always_sent(references, mode):
    # 001:285 "The mode parameter is required."
    assert run("goapi", *references, mode="auto").request_body["input"]["mode"] == mode


@pytest.mark.parametrize(
    ("count", "ok"),
    [
        pytest.param(12, True, id="001:310-twelve"),
        pytest.param(13, False, id="001:310-thirteen"),
    ],
)
def test_omni_takes_1_to_12_references(count, ok):
    references = images(6) + videos(2, seconds=3) + audios(count - 8, seconds=3)
    evaluation = run("goapi", *references)
    assert evaluation.is_valid is ok
    assert ok or errors(evaluation) == {"references.too_many"}


def test_frames_ignore_the_aspect_ratio_say_so_and_do_not_send_it():
    # 001:298 / 001:327.
    evaluation = run("goapi", image(), aspect_ratio="9:16")
    assert evaluation.is_valid and warnings(evaluation) == {"aspect_ratio.ignored"}
    assert "aspect_ratio" not in evaluation.request_body["input"]
    assert evaluation.findings_for(field="aspect_ratio")[0].source == "001:298"


def test_auto_in_frames_needs_no_warning():
    evaluation = run("goapi", image(), aspect_ratio="auto")
    assert evaluation.findings == () and "aspect_ratio" not in evaluation.request_body["input"]


@pytest.mark.parametrize("mode", ["text_to_video", "omni_reference"])
def test_auto_aspect_ratio_elsewhere_would_silently_become_16_9(mode):
    # 001:326 "Default: 16:9 (when omitted or invalid)".
    references = (image(), video()) if mode == "omni_reference" else ()
    assert errors(run("goapi", *references, mode=mode, aspect_ratio="auto")) == {"aspect_ratio.auto_not_allowed"}


@pytest.mark.parametrize(
    ("resolution", "ok"),
    [
        pytest.param(None, True, id="001:271-no-resolution-parameter"),
        pytest.param("480p", True, id="001:272-one-price"),
        pytest.param("720p", False, id="001:271-no-720p"),
        pytest.param("1080p", False, id="001:271-no-1080p"),
    ],
)
def test_goapi_has_no_resolution_setting(resolution, ok):
    evaluation = run("goapi", resolution=resolution)
    assert errors(evaluation) == (set() if ok else {"resolution.unsupported"})
    assert ok is False or "resolution" not in evaluation.request_body["input"]


@pytest.mark.parametrize(
    ("seconds", "code"),
    [
        pytest.param((15,), None, id="001:339-one-clip-15s"),
        pytest.param((16,), "reference.too_long", id="001:339-one-clip-16s"),
        pytest.param((10, 10), None, id="001:306-per-clip-not-total"),
    ],
)
def test_each_audio_is_at_most_15_s(seconds, code):
    evaluation = run("goapi", image(), *[audio(f"a{i}", seconds=s) for i, s in enumerate(seconds)])
    assert errors(evaluation) == ({code} if code else set())


def test_total_input_video_is_at_most_15_4_s():
    # 001:281.
    assert errors(run("goapi", video("v1", seconds=8), video("v2", seconds="7.5"))) == {"videos.total_too_long"}
    assert run("goapi", video("v1", seconds=8), video("v2", seconds="7.4")).is_valid


@pytest.mark.parametrize(
    ("reference", "ok"),
    [
        pytest.param(image(fmt="bmp"), True, id="001:299-bmp"),
        pytest.param(image(fmt="tiff"), False, id="001:299-no-tiff"),
        pytest.param(video(fmt="mov"), True, id="001:305-mov"),
        pytest.param(video(fmt="avi"), False, id="001:305-no-avi"),
        pytest.param(audio(fmt="mp3"), True, id="001:338-mp3"),
        pytest.param(audio(fmt="flac"), False, id="001:338-no-flac"),
    ],
)
def test_formats_per_kind(reference, ok):
    references = (reference,) if reference.kind != "audio" else (image(), reference)
    assert errors(run("goapi", *references)) == (set() if ok else {"reference.format_unsupported"})


def test_asset_references_are_not_documented_for_goapi():
    assert errors(run("goapi", image(url="asset://asset-1"), video())) == {"reference.asset_not_allowed"}


# Golden request bodies -----------------------------------------------------------------------------------


def test_golden_text_to_video():
    # 001:395-403.
    evaluation = run("goapi", tier="seedance-2-fast", prompt="A woman sings and strums her guitar", aspect_ratio="16:9")
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2-fast",
        "input": {
            "prompt": "A woman sings and strums her guitar",
            "mode": "text_to_video",
            "duration": 5,
            "aspect_ratio": "16:9",
        },
    }


def test_golden_first_last_frames():
    # 001:293-299: image_urls, no aspect_ratio.
    evaluation = run(
        "goapi",
        image("a", url="https://cdn.example.com/a.png"),
        image("b", url="https://cdn.example.com/b.png"),
        prompt="@image1 transforms into @image2",
        aspect_ratio="auto",
        duration=8,
    )
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2",
        "input": {
            "prompt": "@image1 transforms into @image2",
            "mode": "first_last_frames",
            "duration": 8,
            "image_urls": ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"],
        },
    }


def test_golden_omni_reference_with_chinese_mentions():
    # 001:301-310, 001:361.
    evaluation = run(
        "goapi",
        image("i", url="https://cdn.example.com/i.png"),
        video("v", url="https://cdn.example.com/v.mov", fmt="mov"),
        audio("a", url="https://cdn.example.com/a.wav", fmt="wav"),
        prompt="用@图片1的风格，【@视频1】的动作，@音频_1做配乐",
        aspect_ratio="1:1",
        duration=12,
    )
    assert evaluation.request_body == {
        "model": "seedance",
        "task_type": "seedance-2",
        "input": {
            "prompt": "用【@图片1】的风格，【@视频1】的动作，【@音频1】做配乐",
            "mode": "omni_reference",
            "duration": 12,
            "aspect_ratio": "1:1",
            "image_urls": ["https://cdn.example.com/i.png"],
            "video_urls": ["https://cdn.example.com/v.mov"],
            "audio_urls": ["https://cdn.example.com/a.wav"],
        },
    }


# Prices: 001:271-276 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "unit"),
    [
        pytest.param("seedance-2", "0.10", id="001:272"),
        pytest.param("seedance-2-fast", "0.08", id="001:273"),
    ],
)
def test_price_without_input_video(tier, unit):
    quote = run("goapi", tier=tier, duration=15).quote
    assert quote.amount == Decimal(unit) * 15 and quote.studio_credits == int(Decimal(unit) * 1500)


def test_input_video_seconds_are_billed_at_the_full_unit_price():
    # 001:276: unit_price x (total_input_video_duration + output_duration).
    quote = run("goapi", video(seconds=6), tier="seedance-2-fast").quote
    assert quote.summary == "5 s x $0.08 + 6 s input video x $0.08 = $0.88 -> 88 credits"


def test_an_unlisted_image_format_is_only_a_warning_in_omni_reference():
    """001 line 299 lists image formats under first_last_frames only; omni_reference (lines 301-310) lists
    video and audio formats but none for images: a warning there, an error in first_last_frames."""
    omni = run("goapi", image(fmt="tiff"), video())
    assert omni.is_valid and warnings(omni) == {"reference.format_undocumented"}
    assert omni.warnings[0].source == "001:299" and "for first/last frames only" in omni.warnings[0].message
    assert errors(run("goapi", image(fmt="tiff"), mode="first_last_frames")) == {"reference.format_unsupported"}
