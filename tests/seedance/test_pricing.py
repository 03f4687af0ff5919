"""The pricing configuration, conversion to studio credits, and the quote being a pure function of its input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_studio.seedance import Composition, PricingConfig, evaluate
from seedance_studio.seedance.pricing import DEFAULT_PRICING, format_usd

from .builders import ALL, DEFAULT_TIERS, audio, comp, image, video


def test_defaults_are_the_documented_tables():
    config = PricingConfig.from_mapping(None)
    assert config.studio_credits_per_usd == 100
    assert config.studio_credits_per_seedance2_credit == Decimal("0.5")
    assert config.usd_unit("piapi", "seedance-2-fast-less-restriction", "720p") == Decimal("0.176")  # 000:293
    assert config.usd_unit("goapi", "seedance-2", "480p") == Decimal("0.10")  # 001:272
    assert config.configured == frozenset()


def test_overrides_merge_into_the_defaults():
    config = PricingConfig.from_mapping({"usd_per_second": {"hiapi": {"seedance-2-0": {"1080p": 1}}}})
    assert config.usd_unit("hiapi", "seedance-2-0", "1080p") == 1
    assert config.usd_unit("hiapi", "seedance-2-0", "720p") == Decimal("0.20")
    assert config.source_for("hiapi") == "configured" and config.source_for("evolink") == "placeholder"


def test_an_input_video_factor_alone_leaves_placeholder_prices_marked():
    config = PricingConfig.from_mapping({"input_video_factor": {"hiapi": "0", "piapi": "0.5"}})
    assert (config.source_for("hiapi"), config.source_for("piapi")) == ("placeholder", "configured")


def test_a_new_tier_is_a_row():
    config = {"usd_per_second": {"evolink": {"mini": {"720p": "0.05"}}}}
    assert PricingConfig.from_mapping(config).usd_unit("evolink", "mini", "720p") == Decimal("0.05")


@pytest.mark.parametrize("bad", [
    {"studio_credits_per_usd": 100.0},
    {"studio_credits_per_usd": "lots"},
    {"studio_credits_per_usd": "-1"},
    {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": None}}}},
    {"studio_credit_per_usd": "100"},  # typo in a top-level key
    {"usd_per_second": {"piapi": "0.10"}},  # a number where a table belongs
    {"usd_per_second": "0.10"},
    {"studio_credits_per_usd": {"usd": 100}},  # a table where a number belongs
])
def test_bad_configuration_fails_loudly(bad):
    with pytest.raises(ValueError):
        PricingConfig.from_mapping(bad)


def test_the_defaults_are_not_mutated_by_overrides():
    PricingConfig.from_mapping({"usd_per_second": {"piapi": {"seedance-2": {"480p": "9"}}}})
    assert DEFAULT_PRICING["usd_per_second"]["piapi"]["seedance-2"]["480p"] == "0.10"


@pytest.mark.parametrize(("config", "credits"), [
    pytest.param(None, 50, id="default-1-credit-is-1-cent"),
    pytest.param({"studio_credits_per_usd": "50"}, 25, id="1-credit-is-2-cents"),
    pytest.param({"studio_credits_per_usd": "33"}, 17, id="rounded-up"),
])
def test_usd_to_studio_credits(config, credits):
    # 5 s x $0.10 (000:283) = $0.50.
    assert evaluate(comp("piapi"), config).quote.studio_credits == credits


def test_seedance2_credits_to_studio_credits():
    # 200 credits (002:156) at 0.75 studio credit each.
    quote = evaluate(comp("seedance2"), {"studio_credits_per_seedance2_credit": "0.75"}).quote
    assert (quote.amount, quote.studio_credits) == (200, 150)


def test_seedance2_credit_table_is_configurable():
    quote = evaluate(comp("seedance2", tier="seedance2-fast"), {"seedance2_credits_per_second": {"seedance2-fast": 30}}
                     ).quote
    assert (quote.amount, quote.source) == (150, "configured")


@pytest.mark.parametrize(("amount", "text"), [
    (Decimal("1.28"), "$1.28"), (Decimal("0.8"), "$0.80"), (Decimal("0.088"), "$0.088"), (Decimal("2"), "$2.00"),
    (Decimal("0.71852"), "$0.71852"),
])
def test_money_reads_naturally(amount, text):
    assert format_usd(amount) == text


def test_no_quote_without_a_valid_duration_or_resolution():
    assert evaluate(comp("piapi", duration=None)).quote is None
    assert evaluate(comp("piapi", tier="seedance-2-fast", resolution="1080p")).quote is None


# The panel and the submit path call the same function on the same composition: same quote, same body.

_REFS = st.lists(st.sampled_from([image("i1"), image("i2", fmt="jpg"), video("v1", seconds=4),
                                  video("v2", seconds="3.5"), audio("a1", seconds=3)]), max_size=5, unique=True)


@st.composite
def _compositions(draw):
    provider = draw(st.sampled_from(ALL))
    return Composition(
        provider=provider,
        tier=DEFAULT_TIERS[provider],
        prompt=draw(st.sampled_from(["", "hello @image1", "@video1 and @audio1 and @image2", "a calm sea"])),
        references=tuple(draw(_REFS)),
        mode=draw(st.sampled_from(["auto", "text_to_video", "first_last_frames", "omni_reference"])),
        duration=draw(st.one_of(st.none(), st.integers(2, 17))),
        aspect_ratio=draw(st.sampled_from([None, "16:9", "9:16", "auto", "1:1"])),
        resolution=draw(st.sampled_from([None, "480p", "720p", "1080p"])),
        generate_audio=draw(st.booleans()),
        seed=draw(st.one_of(st.none(), st.integers(0, 10))),
    )


# tests/conftest.py has a function-scoped autouse fixture (media dir); these properties never use it.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_compositions())
def test_the_quote_shown_is_the_quote_stored(composition):
    shown = evaluate(composition, {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.3"}}}})
    stored = evaluate(Composition(**{f: getattr(composition, f) for f in composition.__dataclass_fields__}),
                      {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.3"}}}})
    assert shown == stored
    assert (shown.request_body is not None) is shown.is_valid
    if shown.quote is not None:
        assert shown.quote.studio_credits >= shown.quote.amount * shown.quote.studio_credits_per_unit
        assert shown.quote.studio_credits - shown.quote.amount * shown.quote.studio_credits_per_unit < 1
