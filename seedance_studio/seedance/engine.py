"""`evaluate()`: the one entry point the live panel, the submit path, the worker and billing all call, so the
price a creative sees is the price that is stored and reserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import media, rules
from .capabilities import Context
from .composition import Composition, LabeledReference, Mode, label_references
from .findings import Finding, Severity, error, warning
from .mentions import check_mentions, write_mentions
from .pricing import EstimatedPrices, PriceQuote, PricingConfig, as_pricing_config
from .specs import PROVIDERS


@dataclass(frozen=True)
class Evaluation:
    provider: str
    tier: str | None  # the tier actually used (a deprecated alias resolved to its successor)
    mode: Mode | None
    findings: tuple[Finding, ...]  # errors first, then warnings, each in rule order
    quote: PriceQuote | None  # None when no price can be computed (unknown tier, invalid duration...)
    request_body: dict | None  # the provider's create-call JSON; None while there are errors
    references: tuple[LabeledReference, ...] = ()
    aspect_ratio: str | None = None
    resolution: str | None = None
    duration: int | None = None
    # The prompt exactly as the provider receives it: stripped, every mention (names included) in the
    # provider's own form. The request body carries this text.
    sent_prompt: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def findings_for(self, *, field: str | None = None, reference: str | None = None) -> tuple[Finding, ...]:
        """Findings at a form field ("duration") or a reference (its label "@video2" or its id)."""
        return tuple(
            f
            for f in self.findings
            if (field is None or f.field == field) and (reference is None or reference in (f.reference, f.reference_id))
        )


def evaluate(composition: Composition, pricing_config: PricingConfig | Mapping[str, Any] | None = None) -> Evaluation:
    config = as_pricing_config(pricing_config)
    references = label_references(composition.references)
    spec = PROVIDERS.get(composition.provider)
    if spec is None:
        names = ", ".join(PROVIDERS)
        return Evaluation(
            composition.provider,
            None,
            None,
            (
                error(
                    "provider.unknown",
                    f"{composition.provider!r} is not a provider the studio knows: choose {names}.",
                    field="provider",
                ),
            ),
            None,
            None,
            references,
        )

    findings: list[Finding] = []
    tier_id = composition.tier
    if tier_id in spec.aliases:
        successor = spec.aliases[tier_id]
        findings.append(
            warning(
                "tier.deprecated",
                f"{tier_id} is an old {spec.display_name} name for {successor}: the studio sends "
                f"{successor} (same rules and price); choose it to make that plain.",
                field="tier",
                source=spec.cite("aliases"),
            )
        )
        tier_id = successor
    tier = spec.tier(tier_id)
    if tier is None:
        names = ", ".join(t.id for t in spec.tiers)
        findings.append(
            error(
                "tier.unknown", f"{composition.tier!r} is not a {spec.display_name} tier: choose {names}.", field="tier"
            )
        )
        return Evaluation(spec.id, None, None, tuple(findings), None, None, references)

    found, mode, inferred = rules.resolve_mode(composition, spec, tier, references)
    findings += found
    found, duration = rules.check_duration(composition, spec, tier)
    findings += found
    found, resolution = rules.check_resolution(composition, spec, tier)
    findings += found
    prompt = write_mentions((composition.prompt or "").strip(), spec.mention_style, references)
    if mode is None:
        findings += check_mentions(composition.prompt or "", references, source=spec.cite("mentions"))
        return Evaluation(
            spec.id, tier.id, None, _ordered(findings), None, None, references, None, resolution, duration, prompt
        )

    found, aspect_ratio = rules.check_aspect_ratio(composition, spec, tier, mode)
    findings += found
    findings += rules.check_references(spec, tier, mode, inferred, references)
    findings += rules.check_frames(spec, mode, references)
    findings += media.check_media(spec, tier, mode, references)
    if spec.is_remote:
        findings += rules.check_urls(spec, tier, mode, references)
    elif any(ref.reference.is_asset for ref in references):
        findings += rules.check_urls(spec, tier, mode, [r for r in references if r.reference.is_asset])
    findings += rules.check_prompt(spec, mode, prompt)
    findings += check_mentions(composition.prompt or "", references, source=spec.cite("mentions"))
    findings += rules.check_seed_and_audio(composition, spec)
    found, extras = rules.check_extras(composition, spec, tier, mode)
    findings += found

    ctx = Context(composition, spec, tier, mode, references, prompt, aspect_ratio, resolution, duration, extras)
    findings += spec.check(ctx)
    quote = spec.price(ctx, config) if duration is not None and resolution in tier.resolutions else None
    findings += _check_estimated_price(spec.display_name, quote, config)
    ordered = _ordered(findings)
    is_valid = not any(f.is_error for f in ordered)
    body = spec.build_body(ctx) if is_valid else None
    return Evaluation(
        spec.id, tier.id, mode, ordered, quote, body, references, aspect_ratio, resolution, duration, prompt
    )


def _check_estimated_price(provider_name: str, quote: PriceQuote | None, config: PricingConfig) -> list[Finding]:
    """A studio that refuses estimated prices never reserves a guess: the quote must be configured first."""
    if quote is None or not quote.estimated or config.estimated_prices is not EstimatedPrices.REFUSE:
        return []
    return [
        error(
            "price.estimated_refused",
            f"This studio only submits jobs at configured prices, and this {provider_name} price is "
            f"estimated: {quote.estimated_because}.",
            field="provider",
        )
    ]


def _ordered(findings: list[Finding]) -> tuple[Finding, ...]:
    unique = list(dict.fromkeys(findings))  # the same mention typed twice is one finding
    return tuple(sorted(unique, key=lambda f: f.severity is not Severity.ERROR))
