"""The composition on every provider and tier at once: valid or not (and the first reason), the price, the
moderation policy and the output size, each from the same `evaluate()` the live panel and the submit path call,
so every price in the comparison is the price that would be reserved.

What the studio alone knows (how long similar jobs took here, whether a provider is set up) is added by the
caller: this module is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .capabilities import Moderation, ProviderSpec, Tier
from .composition import AUTO, Composition, Kind
from .engine import Evaluation, evaluate
from .output_sizes import nearest_aspect_ratio
from .pricing import PriceQuote, PricingConfig, as_pricing_config
from .specs import PROVIDERS

MODERATION_LABELS = {
    Moderation.STRICT: "Strict",
    Moderation.LESS_RESTRICTION: "Less-restriction",
    Moderation.NONE: "None (local)",
    Moderation.NOT_DOCUMENTED: "Not documented",
}


@dataclass(frozen=True)
class Option:
    """One provider and tier, given the composition."""

    provider: str
    provider_name: str
    tier: str
    tier_name: str
    is_remote: bool
    evaluation: Evaluation
    moderation: Moderation
    moderation_note: str
    output_size: str  # "1280x720", "about 960x960 (auto, from @image1)", "" when there is no valid resolution
    takes_seed: bool

    @property
    def model(self) -> str:
        """The compose form's value for this provider and tier."""
        return f"{self.provider}/{self.tier}"

    @property
    def is_valid(self) -> bool:
        return self.evaluation.is_valid

    @property
    def first_problem(self) -> str:
        errors = self.evaluation.errors
        return errors[0].message if errors else ""

    @property
    def quote(self) -> PriceQuote | None:
        return self.evaluation.quote

    @property
    def moderation_label(self) -> str:
        return MODERATION_LABELS[self.moderation]


def variant(composition: Composition, provider: str, tier: str) -> Composition:
    """The same composition for another provider and tier. Provider options (extras) belong to one provider:
    they go along only when the provider stays the same."""
    extras = composition.extras if provider == composition.provider else {}
    return replace(composition, provider=provider, tier=tier, extras=dict(extras))


def compare(
    composition: Composition, pricing_config: PricingConfig | Mapping[str, Any] | None = None
) -> tuple[Option, ...]:
    """Every tier of every provider the studio knows, cheapest valid first, then the invalid ones (cheapest
    first too, those without a price last), the display order breaking ties."""
    config = as_pricing_config(pricing_config)
    options = []
    for spec in PROVIDERS.values():
        for tier in spec.tiers:
            evaluation = evaluate(variant(composition, spec.id, tier.id), config)
            options.append(
                Option(
                    provider=spec.id,
                    provider_name=spec.display_name,
                    tier=tier.id,
                    tier_name=tier.display_name,
                    is_remote=spec.is_remote,
                    evaluation=evaluation,
                    moderation=tier.moderation,
                    moderation_note=tier.moderation_note,
                    output_size=output_size(spec, tier, evaluation, composition),
                    takes_seed=spec.supports_seed,
                )
            )
    order = {option.model: n for n, option in enumerate(options)}

    def key(option: Option):
        credits = option.quote.studio_credits if option.quote is not None else None
        return (not option.is_valid, credits is None, credits or 0, order[option.model])

    return tuple(sorted(options, key=key))


def output_size(spec: ProviderSpec, tier: Tier, evaluation: Evaluation, composition: Composition) -> str:
    """The frame size of the video this provider returns, as "WxH". "auto" takes the shape of the first picture
    (as the local preview does), said as "about": the provider picks it. Upscaling (002:60) is said too."""
    resolution = evaluation.resolution
    sizes = spec.output_sizes.get(resolution or "")
    if sizes is None or resolution not in tier.resolutions:
        return ""
    ratio = evaluation.aspect_ratio or composition.aspect_ratio
    if evaluation.mode in tier.first_image_aspect_modes:
        ratio = AUTO  # the provider discards the ratio here and takes the first image's
    about = ""
    if ratio == AUTO or ratio is None:
        picture = next(
            (
                r
                for kind in (Kind.IMAGE, Kind.VIDEO)
                for r in evaluation.references
                if r.kind is kind and r.reference.width and r.reference.height
            ),
            None,
        )
        if picture is None:
            return "auto (from the image)"
        ratio = nearest_aspect_ratio(picture.reference.width or 0, picture.reference.height or 0)
        about = f" (auto, from {picture.label})"
    if ratio not in sizes:
        return ""
    width, height = sizes[ratio]
    text = f"{width}x{height}"
    upscale = composition.extras.get("upscale") if spec.id == composition.provider else None
    if upscale and any(extra.name == "upscale" for extra in spec.extras):
        text += f", upscaled to {str(upscale).upper()}"
    return f"about {text}{about}" if about else text
