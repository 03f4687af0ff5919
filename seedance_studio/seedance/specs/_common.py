"""Small pieces the provider modules share: the USD per-second quote and the callback shapes."""

from __future__ import annotations

from decimal import Decimal

from ..capabilities import Context
from ..composition import Kind
from ..pricing import USD, PriceQuote, PricingConfig, line, quote, usd_unit_path
from ..rules import kinds_allowed


def sent_video_seconds(ctx: Context) -> Decimal:
    """Input video seconds that actually go out (videos are only sent in modes that take them)."""
    if Kind.VIDEO not in kinds_allowed(ctx.mode):
        return Decimal(0)
    return ctx.input_video_seconds


def usd_per_second_quote(ctx: Context, config: PricingConfig) -> PriceQuote | None:
    """unit x output seconds + unit x factor x input video seconds, the shape of 000:297-299 and 001:274-276.

    Providers without a factor (HiAPI, EvoLink, unless an admin sets one) are billed per second of output only.
    """
    provider, tier, resolution = ctx.provider.id, ctx.tier.id, ctx.resolution
    unit = config.usd_unit(provider, tier, resolution)
    if unit is None or ctx.duration is None:
        return None
    lines = [line("output", Decimal(ctx.duration), unit, currency=USD)]
    factor = config.input_video_factor.get(provider)
    seconds = sent_video_seconds(ctx)
    if seconds and factor:
        lines.append(line("input video", seconds, unit * factor, currency=USD))
    source = config.usd_source(provider, tier, resolution)
    estimated_because = ""
    if source == "placeholder":
        estimated_because = (
            f"{ctx.provider.display_name} publishes no prices, so an admin must set "
            f"{usd_unit_path(provider, tier, resolution)} in SEEDANCE_PRICING_JSON"
        )
    return quote(
        lines, currency=USD, rate=config.studio_credits_per_usd, source=source, estimated_because=estimated_because
    )


def url_lists(ctx: Context, keys: dict[Kind, str]) -> dict[str, list[str]]:
    """{"image_urls": [...], ...} in reference order, leaving out kinds with no reference."""
    out = {}
    for kind, key in keys.items():
        urls = ctx.urls(kind)
        if urls:
            out[key] = urls
    return out
