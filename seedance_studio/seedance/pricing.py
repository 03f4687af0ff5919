"""Prices: the tables, the configuration that overrides them, and the quote a creative sees.

Every provider price is "unit x seconds" lines in the provider's own currency (USD, or the Seedance2 API's
credits), converted to studio credits with a configurable rate and rounded *up* to a whole credit, so the
amount reserved is never less than what the provider will charge.

A quote is *estimated* while any term it uses is a guess the studio made rather than a number from the
provider's document or from an admin: HiAPI's and EvoLink's per-second prices, and the studio-credit value of
a Seedance2 API credit. `estimated_prices` says whether such quotes may be submitted ("allow") or not
("refuse"); the engine turns a refusal into an error finding.

Configuration is a plain dict shaped like `DEFAULT_PRICING` (e.g. `settings.SEEDANCE_PRICING`); anything it
gives replaces the default, anything it leaves out keeps it. Numbers may be str, int or Decimal (floats are
refused: 0.1 as a float is not 0.1). A bad value raises ValueError at load time, not at quote time.
`as_pricing_config` parses each distinct configuration once and hands out the same read-only `PricingConfig`
after that: the live panel quotes on every keystroke.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Any

USD = "USD"
SEEDANCE2_CREDITS = "SEEDANCE2_CREDITS"
FREE = "FREE"


class EstimatedPrices(StrEnum):
    """What the studio does with a quote that is still estimated."""

    ALLOW = "allow"  # quote it, marked "estimated", and let it be submitted
    REFUSE = "refuse"  # quote it, marked "estimated", and refuse to submit it until an admin configures it


DEFAULT_PRICING: dict[str, Any] = {
    # 1 studio credit = $0.01, so a quote in cents reads the same in credits.
    "studio_credits_per_usd": "100",
    # 1 Seedance2 API credit = 0.5 studio credit ($0.005). A GUESS, so Seedance2 quotes are estimated until an
    # admin sets it: the Seedance2 API does not publish a dollar value for its credits in its document
    # (002:152-159); 40 credits/s for seedance2 and 32 credits/s for seedance2-fast at its 720p-class sizes
    # both come out at exactly $0.005 per credit against PiAPI's published 720p prices for the same model
    # ($0.20/s and $0.16/s, 000:284 and 000:287). Set it to what your Seedance2 API credit pack really costs.
    "studio_credits_per_seedance2_credit": "0.5",
    # USD per second of output, by provider -> tier -> resolution.
    "usd_per_second": {
        # 000:282-293. The less-restriction rows are the table's +10%; 000:267 says "+25%", the table and
        # 000:294 say +10%: the table wins (shared/seeds/README.md, "Known disagreements").
        "piapi": {
            "seedance-2": {"480p": "0.10", "720p": "0.20", "1080p": "0.50"},
            "seedance-2-fast": {"480p": "0.08", "720p": "0.16"},
            "seedance-2-mini": {"720p": "0.15"},
            "seedance-2-less-restriction": {"480p": "0.11", "720p": "0.22", "1080p": "0.55"},
            "seedance-2-fast-less-restriction": {"480p": "0.088", "720p": "0.176"},
        },
        # 001:271-273: one price per tier, no resolution (GoAPI's document has no resolution parameter; the
        # studio lists it as 480p, see providers/goapi.py).
        "goapi": {
            "seedance-2": {"480p": "0.10"},
            "seedance-2-fast": {"480p": "0.08"},
        },
        # Not in the document ("See HiAPI Pricing", 003:15). PLACEHOLDER defaults: PiAPI's published prices for
        # the same strict model (000:283-285), so a quote is never zero but always estimated. Configure the
        # real ones.
        "hiapi": {
            "seedance-2-0": {"480p": "0.10", "720p": "0.20", "1080p": "0.50"},
        },
        # Not in the document (004 has no price). PLACEHOLDER defaults: PiAPI's seedance-2 / seedance-2-fast
        # rows (000:283-287), estimated until configured. Configure the real ones.
        "evolink": {
            "standard": {"480p": "0.10", "720p": "0.20"},
            "fast": {"480p": "0.08", "720p": "0.16"},
        },
    },
    # Each second of input video costs this many times the unit price. Only the documents that say so have
    # one: HiAPI prices "per second of generated video" (003:213) and EvoLink publishes no formula, so their
    # quotes are per second of output unless an admin configures a factor for them here.
    "input_video_factor": {
        "piapi": "0.5",  # 000:299: unit_price / 2 x total input video duration
        "goapi": "1",  # 001:276: unit_price x (input video + output)
    },
    # 002:154-159: base = seconds x 40 (seedance2) or 32 (seedance2-fast, 160 for 5 s); upscale adds
    # seconds x 20 (2k) or x 40 (4k) on either model (300/260 and 400/360 for 5 s).
    "seedance2_credits_per_second": {"seedance2": "40", "seedance2-fast": "32"},
    "seedance2_upscale_credits_per_second": {"2k": "20", "4k": "40"},
    # 002:159: reference mode with a video reference doubles the base (not the upscale).
    "seedance2_reference_video_multiplier": "2",
    # May a quote that is still estimated be submitted? settings.py reads it from STUDIO_ESTIMATED_PRICES.
    "estimated_prices": EstimatedPrices.ALLOW.value,
}

# Providers whose default prices are guesses rather than their document's numbers.
PLACEHOLDER_PRICES = frozenset({"hiapi", "evolink"})


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, (float, bool)) or value is None:
        raise ValueError(f'pricing {path}: give {value!r} as a string or int (e.g. "0.10"), not a float')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"pricing {path}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"pricing {path}: {value!r} must be a number >= 0")
    return number


# How deep each setting's table goes: 0 = a number, 1 = {name: number}, 3 = provider -> tier -> resolution.
_SHAPE = {
    "studio_credits_per_usd": 0,
    "studio_credits_per_seedance2_credit": 0,
    "usd_per_second": 3,
    "input_video_factor": 1,
    "seedance2_credits_per_second": 1,
    "seedance2_upscale_credits_per_second": 1,
    "seedance2_reference_video_multiplier": 0,
}
# Every top-level setting: the number tables above, and the policy.
_SETTINGS = (*_SHAPE, "estimated_prices")


def _merge(base: dict, override: Mapping, path: str, touched: set[str]) -> dict:
    for key, value in override.items():
        where = f"{path}.{key}" if path else str(key)
        # New providers, tiers and resolutions are welcome below the top level (a new tier is a row);
        # an unknown top-level key is a typo that would otherwise be ignored silently.
        if not path and key not in _SETTINGS:
            raise ValueError(f"pricing: unknown setting {where!r} (known: {', '.join(_SETTINGS)})")
        if isinstance(value, Mapping):
            current = base.get(key)
            base[key] = _merge(dict(current) if isinstance(current, Mapping) else {}, value, where, touched)
        else:
            base[key] = value
            touched.add(where)
    return base


def _parse(tree: Any, path: str, depth: int) -> Any:
    if depth == 0:
        return _decimal(tree, path)
    if not isinstance(tree, Mapping):
        raise ValueError(f"pricing {path}: expected a table (a dict), got {tree!r}")
    # Read-only: a parsed configuration is shared by every quote made with it (see as_pricing_config).
    return MappingProxyType({str(key): _parse(value, f"{path}.{key}", depth - 1) for key, value in tree.items()})


def _policy(value: Any) -> EstimatedPrices:
    try:
        return EstimatedPrices(value)
    except ValueError:
        choices = " or ".join(repr(policy.value) for policy in EstimatedPrices)
        raise ValueError(f"pricing estimated_prices: {value!r} is not a policy: use {choices}") from None


@dataclass(frozen=True)
class PricingConfig:
    studio_credits_per_usd: Decimal
    studio_credits_per_seedance2_credit: Decimal
    usd_per_second: Mapping[str, Mapping[str, Mapping[str, Decimal]]]
    input_video_factor: Mapping[str, Decimal]
    seedance2_credits_per_second: Mapping[str, Decimal]
    seedance2_upscale_credits_per_second: Mapping[str, Decimal]
    seedance2_reference_video_multiplier: Decimal
    configured: frozenset[str]  # dotted paths the caller set, e.g. "usd_per_second.hiapi.seedance-2-0.720p"
    estimated_prices: EstimatedPrices  # whether an estimated quote may be submitted

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any] | None = None) -> PricingConfig:
        touched: set[str] = set()
        merged = _merge(copy.deepcopy(DEFAULT_PRICING), overrides or {}, "", touched)
        values = {key: _parse(merged[key], key, depth) for key, depth in _SHAPE.items()}
        return cls(
            studio_credits_per_usd=values["studio_credits_per_usd"],
            studio_credits_per_seedance2_credit=values["studio_credits_per_seedance2_credit"],
            usd_per_second=values["usd_per_second"],
            input_video_factor=values["input_video_factor"],
            seedance2_credits_per_second=values["seedance2_credits_per_second"],
            seedance2_upscale_credits_per_second=values["seedance2_upscale_credits_per_second"],
            seedance2_reference_video_multiplier=values["seedance2_reference_video_multiplier"],
            configured=frozenset(touched),
            estimated_prices=_policy(merged["estimated_prices"]),
        )

    def usd_unit(self, provider: str, tier: str, resolution: str) -> Decimal | None:
        return self.usd_per_second.get(provider, {}).get(tier, {}).get(resolution)

    def usd_source(self, provider: str, tier: str, resolution: str) -> str:
        """Where the terms of a USD quote come from: "placeholder" (the unit is the studio's guess),
        "configured" (an admin set the unit or the input-video factor) or "document" (the provider's table)."""
        unit_configured = usd_unit_path(provider, tier, resolution) in self.configured
        if provider in PLACEHOLDER_PRICES and not unit_configured:
            return "placeholder"  # still a guess, whatever else was set
        if unit_configured or f"input_video_factor.{provider}" in self.configured:
            return "configured"
        return "document"


def usd_unit_path(provider: str, tier: str, resolution: str) -> str:
    """The dotted path an admin sets in SEEDANCE_PRICING_JSON for one per-second price."""
    return f"usd_per_second.{provider}.{tier}.{resolution}"


def as_pricing_config(config: PricingConfig | Mapping[str, Any] | None) -> PricingConfig:
    """The parsed configuration. A mapping is parsed once per distinct value: the cache is keyed on what it says,
    not on which object says it, so a changed or replaced mapping (a test's settings override) is parsed anew."""
    if isinstance(config, PricingConfig):
        return config
    try:
        key = _frozen(config or {})
    except TypeError:  # something unhashable in it (a list): parse it every time, and let _parse say what is wrong
        return PricingConfig.from_mapping(config)
    return _parsed(key)


@functools.lru_cache(maxsize=16)
def _parsed(key: tuple) -> PricingConfig:
    return PricingConfig.from_mapping(_thawed(key))


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a configuration value that compares equal only to an identical value: the type
    and the text are part of it, so "0.10" and Decimal("0.10"), or Decimal("0.1") and Decimal("0.10"), differ."""
    if isinstance(value, Mapping):
        return (Mapping, tuple((key, _frozen(item)) for key, item in value.items()))
    hash(value)
    return (type(value), str(value), value)


def _thawed(key: Any) -> Any:
    if key[0] is Mapping:
        return {name: _thawed(item) for name, item in key[1]}
    return key[2]


@dataclass(frozen=True)
class PriceLine:
    """One "quantity x unit price" term of a quote, in the provider's currency."""

    what: str  # "output", "input video", "2K upscale"
    seconds: Decimal
    unit_price: Decimal
    amount: Decimal
    text: str  # "6 s input video x $0.08"


@dataclass(frozen=True)
class PriceQuote:
    currency: str  # USD, SEEDANCE2_CREDITS or FREE
    amount: Decimal  # in `currency`, exact
    studio_credits: int  # what the studio reserves: amount x rate, rounded up
    lines: tuple[PriceLine, ...]
    summary: str  # "5 s x $0.16 + 6 s input video x $0.08 = $1.28 -> 128 credits", + " (estimated)" if so
    source: str  # where the provider-currency terms come from: "document", "configured", "placeholder" or "free"
    studio_credits_per_unit: Decimal
    # Why `studio_credits` may not be what the provider charges, and what an admin sets to fix it; "" when every
    # term is the provider's document or an admin's setting. A Seedance2 quote can be from the "document" and
    # still estimated: its credit table is documented, the studio-credit value of a credit is not.
    estimated_because: str = ""

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_because)

    @property
    def is_free(self) -> bool:
        return self.currency == FREE


def format_seconds(seconds: Decimal) -> str:
    text = f"{seconds.normalize():f}"
    return f"{text} s"


def format_usd(amount: Decimal) -> str:
    if amount == amount.quantize(Decimal("0.01")):
        return f"${amount.quantize(Decimal('0.01'))}"
    return f"${amount.normalize():f}"


def format_credits(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def line(
    what: str, seconds: Decimal, unit_price: Decimal, *, currency: str, multiplier: Decimal = Decimal(1), note: str = ""
) -> PriceLine:
    unit_text = format_usd(unit_price) if currency == USD else f"{format_credits(unit_price)} credits"
    label = "" if what == "output" else f" {what}"
    text = f"{format_seconds(seconds)}{label} x {unit_text}"
    if multiplier != 1:
        text += f" x {format_credits(multiplier)}"
    if note:
        text += f" ({note})"
    return PriceLine(what, seconds, unit_price, seconds * unit_price * multiplier, text)


def studio_credits(amount: Decimal, rate: Decimal) -> int:
    return int((amount * rate).to_integral_value(rounding=ROUND_CEILING))


def quote(
    lines: Sequence[PriceLine], *, currency: str, rate: Decimal, source: str, estimated_because: str = ""
) -> PriceQuote:
    amount = sum((item.amount for item in lines), Decimal(0))
    credits = studio_credits(amount, rate)
    if currency == USD:
        total = format_usd(amount)
    else:
        total = f"{format_credits(amount)} Seedance2 credits"
    summary = f"{' + '.join(item.text for item in lines)} = {total} -> {credits} credits"
    if estimated_because:
        summary += " (estimated)"
    return PriceQuote(currency, amount, credits, tuple(lines), summary, source, rate, estimated_because)


def free_quote(summary: str = "Local preview: free -> 0 credits") -> PriceQuote:
    return PriceQuote(FREE, Decimal(0), 0, (), summary, "free", Decimal(0))
