"""The pricing configuration, conversion to studio credits, and the quote being a pure function of its input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_studio.seedance import Composition, PricingConfig, evaluate
from seedance_studio.seedance.pricing import DEFAULT_PRICING, EstimatedPrices, format_usd
from seedance_studio.settings import _seedance_pricing

from .builders import ALL, DEFAULT_TIERS, audio, comp, image, video


def test_defaults_are_the_documented_tables():
    config = PricingConfig.from_mapping(None)
    assert config.studio_credits_per_usd == 100
    assert config.studio_credits_per_seedance2_credit == Decimal("0.5")
    assert config.usd_unit("piapi", "seedance-2-fast-less-restriction", "720p") == Decimal("0.176")  # 000:293
    assert config.usd_unit("goapi", "seedance-2", "480p") == Decimal("0.10")  # 001:272
    assert config.configured == frozenset()
    assert config.estimated_prices is EstimatedPrices.ALLOW


def test_overrides_merge_into_the_defaults():
    config = PricingConfig.from_mapping({"usd_per_second": {"hiapi": {"seedance-2-0": {"1080p": 1}}}})
    assert config.usd_unit("hiapi", "seedance-2-0", "1080p") == 1
    assert config.usd_unit("hiapi", "seedance-2-0", "720p") == Decimal("0.20")
    assert config.usd_source("hiapi", "seedance-2-0", "1080p") == "configured"
    # Each tier and resolution is its own price: the 720p one is still the placeholder.
    assert config.usd_source("hiapi", "seedance-2-0", "720p") == "placeholder"
    assert config.usd_source("evolink", "standard", "720p") == "placeholder"


def test_an_input_video_factor_alone_leaves_placeholder_prices_marked():
    config = PricingConfig.from_mapping({"input_video_factor": {"hiapi": "0", "piapi": "0.5"}})
    assert config.usd_source("hiapi", "seedance-2-0", "720p") == "placeholder"
    assert config.usd_source("piapi", "seedance-2", "480p") == "configured"


def test_a_new_tier_is_a_row():
    config = {"usd_per_second": {"evolink": {"mini": {"720p": "0.05"}}}}
    assert PricingConfig.from_mapping(config).usd_unit("evolink", "mini", "720p") == Decimal("0.05")


@pytest.mark.parametrize(
    "bad",
    [
        {"studio_credits_per_usd": 100.0},
        {"studio_credits_per_usd": "lots"},
        {"studio_credits_per_usd": "-1"},
        {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": None}}}},
        {"studio_credit_per_usd": "100"},  # typo in a top-level key
        {"usd_per_second": {"piapi": "0.10"}},  # a number where a table belongs
        {"usd_per_second": "0.10"},
        {"studio_credits_per_usd": {"usd": 100}},  # a table where a number belongs
        {"estimated_prices": "maybe"},
        {"estimated_prices": "Refuse"},
        {"estimated_prices": {"hiapi": "refuse"}},  # one policy for the whole studio
    ],
)
def test_bad_configuration_fails_loudly(bad):
    with pytest.raises(ValueError):
        PricingConfig.from_mapping(bad)


def test_the_defaults_are_not_mutated_by_overrides():
    PricingConfig.from_mapping({"usd_per_second": {"piapi": {"seedance-2": {"480p": "9"}}}})
    assert DEFAULT_PRICING["usd_per_second"]["piapi"]["seedance-2"]["480p"] == "0.10"


@pytest.mark.parametrize(
    ("config", "credits"),
    [
        pytest.param(None, 50, id="default-1-credit-is-1-cent"),
        pytest.param({"studio_credits_per_usd": "50"}, 25, id="1-credit-is-2-cents"),
        pytest.param({"studio_credits_per_usd": "33"}, 17, id="rounded-up"),
    ],
)
def test_usd_to_studio_credits(config, credits):
    # 5 s x $0.10 (000:283) = $0.50.
    assert evaluate(comp("piapi"), config).quote.studio_credits == credits


def test_seedance2_credits_to_studio_credits():
    # 200 credits (002:156) at 0.75 studio credit each.
    quote = evaluate(comp("seedance2"), {"studio_credits_per_seedance2_credit": "0.75"}).quote
    assert (quote.amount, quote.studio_credits) == (200, 150)


def test_seedance2_credit_table_is_configurable():
    quote = evaluate(
        comp("seedance2", tier="seedance2-fast"), {"seedance2_credits_per_second": {"seedance2-fast": 30}}
    ).quote
    assert (quote.amount, quote.source) == (150, "configured")


# Input video: only PiAPI (000:299) and GoAPI (001:276) document a charge for it. HiAPI prices "per second of
# generated video" (003:213) and EvoLink has no price at all (seeds/README.md), so theirs is per second of
# output unless an admin configures a factor. 15 s of input video in every row.

_HIAPI_AT_018 = {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.18"}}}}
_EVOLINK_AT_012 = {"usd_per_second": {"evolink": {"fast": {"720p": "0.12"}}}}


@pytest.mark.parametrize(
    ("provider", "tier", "config", "summary"),
    [
        pytest.param(
            "hiapi",
            "seedance-2-0",
            None,
            "5 s x $0.20 = $1.00 -> 100 credits (estimated)",
            id="003:213-hiapi-placeholder",
        ),
        pytest.param(
            "hiapi", "seedance-2-0", _HIAPI_AT_018, "5 s x $0.18 = $0.90 -> 90 credits", id="003:213-hiapi-configured"
        ),
        pytest.param(
            "evolink", "standard", None, "5 s x $0.20 = $1.00 -> 100 credits (estimated)", id="004-evolink-placeholder"
        ),
        pytest.param(
            "evolink", "fast", _EVOLINK_AT_012, "5 s x $0.12 = $0.60 -> 60 credits", id="004-evolink-configured"
        ),
        pytest.param(
            "piapi",
            "seedance-2",
            None,
            "5 s x $0.20 + 15 s input video x $0.10 = $2.50 -> 250 credits",
            id="000:299-piapi-half-unit",
        ),
    ],
)
def test_input_video_is_charged_only_where_documented(provider, tier, config, summary):
    quote = evaluate(comp(provider, image(), video(seconds=15), tier=tier, resolution="720p"), config).quote
    assert quote.summary == summary


@pytest.mark.parametrize(
    ("provider", "tier", "config", "summary"),
    [
        pytest.param(
            "hiapi",
            "seedance-2-0",
            {**_HIAPI_AT_018, "input_video_factor": {"hiapi": "1"}},
            "5 s x $0.18 + 15 s input video x $0.18 = $3.60 -> 360 credits",
            id="hiapi-factor-1",
        ),
        pytest.param(
            "evolink",
            "fast",
            {**_EVOLINK_AT_012, "input_video_factor": {"evolink": "0.5"}},
            "5 s x $0.12 + 15 s input video x $0.06 = $1.50 -> 150 credits",
            id="evolink-factor-half",
        ),
        # A factor on a placeholder unit is charged, and the quote stays estimated: the unit is still a guess.
        pytest.param(
            "hiapi",
            "seedance-2-0",
            {"input_video_factor": {"hiapi": "1"}},
            "5 s x $0.20 + 15 s input video x $0.20 = $4.00 -> 400 credits (estimated)",
            id="hiapi-factor-on-placeholder",
        ),
    ],
)
def test_a_configured_input_video_factor_adds_the_term(provider, tier, config, summary):
    quote = evaluate(comp(provider, image(), video(seconds=15), tier=tier, resolution="720p"), config).quote
    assert quote.summary == summary


# Estimated: a quote that uses a term the studio guessed, rather than a document's number or an admin's.

_HIAPI_GUESS = (
    "HiAPI publishes no prices, so an admin must set usd_per_second.hiapi.seedance-2-0.720p in SEEDANCE_PRICING_JSON"
)
_EVOLINK_GUESS = (
    "EvoLink publishes no prices, so an admin must set usd_per_second.evolink.standard.720p in SEEDANCE_PRICING_JSON"
)
_SEEDANCE2_GUESS = (
    "Seedance2 API credits have no published price, so an admin must set "
    "STUDIO_CREDITS_PER_SEEDANCE2_CREDIT to what one of them costs in studio credits"
)


@pytest.mark.parametrize(
    ("provider", "resolution", "config", "source", "because"),
    [
        pytest.param("piapi", "720p", None, "document", "", id="000:284-piapi"),
        pytest.param("goapi", "480p", None, "document", "", id="001:272-goapi"),
        pytest.param("piapi", "720p", {"input_video_factor": {"piapi": "1"}}, "configured", "", id="piapi-configured"),
        pytest.param("hiapi", "720p", None, "placeholder", _HIAPI_GUESS, id="003:15-hiapi"),
        pytest.param(
            "hiapi",
            "720p",
            {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.18"}}}},
            "configured",
            "",
            id="hiapi-720p-configured",
        ),
        pytest.param(
            "hiapi",
            "720p",
            {"usd_per_second": {"hiapi": {"seedance-2-0": {"1080p": "0.45"}}}},
            "placeholder",
            _HIAPI_GUESS,
            id="hiapi-only-1080p-configured",
        ),
        pytest.param(
            "hiapi",
            "720p",
            {"input_video_factor": {"hiapi": "1"}},
            "placeholder",
            _HIAPI_GUESS,
            id="hiapi-only-factor-configured",
        ),
        pytest.param("evolink", "720p", None, "placeholder", _EVOLINK_GUESS, id="004-evolink"),
        pytest.param(
            "evolink",
            "720p",
            {"usd_per_second": {"evolink": {"standard": {"720p": "0.15"}}}},
            "configured",
            "",
            id="evolink-720p-configured",
        ),
        pytest.param(
            "evolink",
            "720p",
            {"studio_credits_per_usd": "90"},
            "placeholder",
            _EVOLINK_GUESS,
            id="evolink-credit-rate-is-not-its-price",
        ),
        # 002:152-159: the credit table is documented, the studio-credit value of one credit is not.
        pytest.param("seedance2", "720p", None, "document", _SEEDANCE2_GUESS, id="002:154-seedance2"),
        pytest.param(
            "seedance2",
            "720p",
            {"studio_credits_per_seedance2_credit": "0.6"},
            "document",
            "",
            id="seedance2-credit-value-configured",
        ),
        pytest.param(
            "seedance2",
            "720p",
            {"seedance2_credits_per_second": {"seedance2": "40"}},
            "configured",
            _SEEDANCE2_GUESS,
            id="seedance2-only-credit-table-configured",
        ),
        pytest.param("local_preview", "720p", None, "free", "", id="local-preview"),
    ],
)
def test_which_quotes_are_estimated(provider, resolution, config, source, because):
    quote = evaluate(comp(provider, resolution=resolution), config).quote
    assert (quote.source, quote.estimated_because, quote.estimated) == (source, because, bool(because))
    assert quote.summary.endswith(" (estimated)") is bool(because)


_REFUSE = {"estimated_prices": "refuse"}
_REFUSED = {"price.estimated_refused"}


@pytest.mark.parametrize(
    ("provider", "config", "refused"),
    [
        pytest.param("hiapi", None, set(), id="allow-is-the-default"),
        pytest.param("hiapi", {"estimated_prices": "allow"}, set(), id="allow"),
        pytest.param("hiapi", _REFUSE, _REFUSED, id="003:15-hiapi-refused"),
        pytest.param(
            "hiapi",
            {**_REFUSE, "usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.18"}}}},
            set(),
            id="hiapi-configured",
        ),
        pytest.param("evolink", _REFUSE, _REFUSED, id="004-evolink-refused"),
        pytest.param("seedance2", _REFUSE, _REFUSED, id="002:154-seedance2-refused"),
        pytest.param(
            "seedance2",
            {**_REFUSE, "studio_credits_per_seedance2_credit": "0.5"},
            set(),
            id="seedance2-credit-value-configured",
        ),
        pytest.param("piapi", _REFUSE, set(), id="000:284-piapi-documented"),
        pytest.param("goapi", _REFUSE, set(), id="001:272-goapi-documented"),
        pytest.param("local_preview", _REFUSE, set(), id="local-preview-free"),
    ],
)
def test_the_refuse_policy_blocks_estimated_quotes(provider, config, refused):
    evaluation = evaluate(comp(provider, resolution="480p" if provider == "goapi" else "720p"), config)
    assert {f.code for f in evaluation.errors} == refused
    assert evaluation.quote is not None  # the creative still sees what it would cost
    assert (evaluation.request_body is None) is bool(refused)


def test_the_refusal_names_the_rule_and_the_fix():
    [finding] = evaluate(comp("hiapi", resolution="720p"), _REFUSE).errors
    assert (finding.code, finding.field) == ("price.estimated_refused", "provider")
    assert finding.message == (
        f"This studio only submits jobs at configured prices, and this HiAPI price is estimated: {_HIAPI_GUESS}."
    )


_PRICING_ENV = (
    "SEEDANCE_PRICING_JSON",
    "STUDIO_CREDITS_PER_USD",
    "STUDIO_CREDITS_PER_SEEDANCE2_CREDIT",
    "STUDIO_ESTIMATED_PRICES",
)


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        pytest.param(None, EstimatedPrices.ALLOW, id="unset"),
        pytest.param("", EstimatedPrices.ALLOW, id="empty-is-unset"),
        pytest.param("allow", EstimatedPrices.ALLOW, id="allow"),
        pytest.param("refuse", EstimatedPrices.REFUSE, id="refuse"),
    ],
)
def test_settings_read_studio_estimated_prices(monkeypatch, value, policy):
    for name in _PRICING_ENV:
        monkeypatch.delenv(name, raising=False)
    if value is not None:
        monkeypatch.setenv("STUDIO_ESTIMATED_PRICES", value)
    assert PricingConfig.from_mapping(_seedance_pricing()).estimated_prices is policy


@pytest.mark.parametrize("value", ["maybe", "Refuse", "refuse ", "deny", "1", "true"])
def test_settings_refuse_any_other_studio_estimated_prices(monkeypatch, value):
    for name in _PRICING_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STUDIO_ESTIMATED_PRICES", value)
    with pytest.raises(ImproperlyConfigured, match="STUDIO_ESTIMATED_PRICES"):
        _seedance_pricing()


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1.28"), "$1.28"),
        (Decimal("0.8"), "$0.80"),
        (Decimal("0.088"), "$0.088"),
        (Decimal("2"), "$2.00"),
        (Decimal("0.71852"), "$0.71852"),
    ],
)
def test_money_reads_naturally(amount, text):
    assert format_usd(amount) == text


def test_no_quote_without_a_valid_duration_or_resolution():
    assert evaluate(comp("piapi", duration=None)).quote is None
    assert evaluate(comp("piapi", tier="seedance-2-fast", resolution="1080p")).quote is None


# The panel and the submit path call the same function on the same composition: same quote, same body.

_REFS = st.lists(
    st.sampled_from(
        [
            image("i1"),
            image("i2", fmt="jpg"),
            video("v1", seconds=4),
            video("v2", seconds="3.5"),
            audio("a1", seconds=3),
        ]
    ),
    max_size=5,
    unique=True,
)


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
    stored = evaluate(
        Composition(**{f: getattr(composition, f) for f in composition.__dataclass_fields__}),
        {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.3"}}}},
    )
    assert shown == stored
    assert (shown.request_body is not None) is shown.is_valid
    if shown.quote is not None:
        assert shown.quote.studio_credits >= shown.quote.amount * shown.quote.studio_credits_per_unit
        assert shown.quote.studio_credits - shown.quote.amount * shown.quote.studio_credits_per_unit < 1
