"""The registry the UI builds its select boxes from, checked against the tables and the documents."""

from __future__ import annotations

import pytest

from seedance_studio.seedance import evaluate, get_provider, providers

from .builders import DEFAULT_TIERS, comp


def test_it_lists_every_provider_local_preview_first():
    assert [p.id for p in providers()] == ["local_preview", "piapi", "goapi", "seedance2", "hiapi", "evolink"]


@pytest.mark.parametrize(
    ("provider", "tiers"),
    [
        pytest.param(
            "piapi",
            [
                "seedance-2",
                "seedance-2-fast",
                "seedance-2-mini",
                "seedance-2-less-restriction",
                "seedance-2-fast-less-restriction",
            ],
            id="000:261-266",
        ),
        pytest.param("goapi", ["seedance-2", "seedance-2-fast"], id="001:266-267"),
        pytest.param("seedance2", ["seedance2", "seedance2-fast"], id="002:6"),
        pytest.param("hiapi", ["seedance-2-0"], id="003:12"),
        pytest.param("evolink", ["standard", "fast"], id="004:10-17"),
        pytest.param("local_preview", ["local"], id="local"),
    ],
)
def test_tiers(provider, tiers):
    assert [t.id for t in get_provider(provider).tiers] == tiers


def test_deprecated_tiers_are_accepted_not_offered():
    piapi = get_provider("piapi")
    assert "seedance-2-preview-vip" not in [t.id for t in piapi.tiers]
    assert piapi.tier("seedance-2-preview-vip").id == "seedance-2"  # 000:276


@pytest.mark.parametrize(
    ("provider", "tier", "mode", "choices"),
    [
        pytest.param(
            "piapi",
            "seedance-2",
            "first_last_frames",
            ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto"),
            id="000:326",
        ),
        pytest.param(
            "piapi", "seedance-2", "text_to_video", ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"), id="000:355"
        ),
        pytest.param(
            "hiapi",
            "seedance-2-0",
            "omni_reference",
            ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto"),
            id="003:72",
        ),
    ],
)
def test_aspect_ratio_choices_per_mode(provider, tier, mode, choices):
    assert get_provider(provider).tier(tier).aspect_ratio_choices(mode) == choices


@pytest.mark.parametrize(
    ("provider", "tier", "resolutions"),
    [
        pytest.param("piapi", "seedance-2-fast", ("480p", "720p"), id="000:366"),
        pytest.param("piapi", "seedance-2-mini", ("720p",), id="000:367"),
        pytest.param("goapi", "seedance-2", ("480p",), id="001:271"),
        pytest.param("seedance2", "seedance2", ("720p",), id="002:59"),
        pytest.param("hiapi", "seedance-2-0", ("480p", "720p", "1080p"), id="003:82"),
        pytest.param("evolink", "fast", ("480p", "720p"), id="004:51"),
    ],
)
def test_resolutions(provider, tier, resolutions):
    assert get_provider(provider).tier(tier).resolutions == resolutions


def test_every_offered_choice_is_accepted_by_the_core():
    """What the select boxes offer must never be refused: each tier x mode x ratio x resolution is valid."""
    from .builders import image, video

    refs = {"text_to_video": (), "first_last_frames": (image(),), "omni_reference": (image(), video())}
    for info in providers():
        for tier in info.tiers:
            assert tier.durations == tuple(range(4, 16))
            for mode in tier.modes:
                for ratio in tier.aspect_ratio_choices(mode):
                    for resolution in tier.resolutions:
                        evaluation = evaluate(
                            comp(
                                info.id, *refs[mode], tier=tier.id, mode=mode, aspect_ratio=ratio, resolution=resolution
                            )
                        )
                        assert evaluation.is_valid, (info.id, tier.id, mode, ratio, resolution, evaluation.findings)
                        assert evaluation.quote is not None


def test_extras_are_described():
    assert [e.name for e in get_provider("hiapi").extras] == ["web_search", "nsfw_checker", "return_last_frame"]
    (upscale,) = get_provider("seedance2").extras
    assert (upscale.kind, upscale.choices) == ("choice", ("2k", "4k"))
    (web_search,) = get_provider("evolink").extras
    assert web_search.modes == ("text_to_video",)


def test_default_tiers_used_by_the_tests_exist():
    for provider, tier in DEFAULT_TIERS.items():
        assert get_provider(provider).tier(tier)
