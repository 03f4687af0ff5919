"""What a UI needs to build its select boxes: providers, their tiers and, per tier, what can be chosen.

Read-only views of the provider tables (no callables), safe to hand to templates or serialize. This is the only
description of a provider outside the core: `ProviderSpec` (specs/, with its rule and body functions) stays
inside `seedance_studio.seedance`, and nothing else imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .capabilities import ProviderSpec, Tier
from .composition import AUTO, MODE_LABELS, Kind, Mode
from .specs import PROVIDERS

ASPECT_RATIO_LABELS = {
    "21:9": "21:9 ultrawide",
    "16:9": "16:9 landscape",
    "4:3": "4:3",
    "1:1": "1:1 square",
    "3:4": "3:4",
    "9:16": "9:16 portrait",
    AUTO: "Auto (from the image)",
}


@dataclass(frozen=True)
class ExtraInfo:
    name: str
    label: str
    kind: str  # "bool", "int" or "choice"
    choices: tuple
    default: object
    tiers: tuple[str, ...] | None  # None: every tier
    modes: tuple[str, ...] | None  # None: every mode
    help: str


@dataclass(frozen=True)
class TierInfo:
    id: str
    display_name: str
    description: str
    modes: tuple[str, ...]
    durations: tuple[int, ...]
    resolutions: tuple[str, ...]
    default_resolution: str
    aspect_ratios: tuple[str, ...]  # without "auto"
    auto_aspect_modes: tuple[str, ...]  # modes where "auto" may be chosen
    kinds: tuple[str, ...]  # reference kinds this tier takes at all
    max_references: int | None
    max_per_kind: Mapping[str, int | None]

    def aspect_ratio_choices(self, mode: str | None = None) -> tuple[str, ...]:
        """The aspect ratios to offer, with "auto" when `mode` (or any mode, if None) allows it."""
        allowed = self.auto_aspect_modes if mode is None else tuple(m for m in self.auto_aspect_modes if m == mode)
        return self.aspect_ratios + ((AUTO,) if allowed else ())


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    display_name: str
    currency: str
    document: str  # shared/seeds file number, "" for the local preview
    is_remote: bool
    tiers: tuple[TierInfo, ...]
    deprecated_tiers: Mapping[str, str]  # old name -> successor; accepted, not offered
    mode_names: Mapping[str, str]  # the provider's own word for each studio mode
    extras: tuple[ExtraInfo, ...]
    named_frames: bool = False  # an image may be pinned to the first or last frame (ProviderSpec.named_frames)

    def tier(self, tier_id: str) -> TierInfo:
        tier_id = self.deprecated_tiers.get(tier_id, tier_id)
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        raise KeyError(tier_id)


def _tier_info(tier: Tier) -> TierInfo:
    return TierInfo(
        id=tier.id,
        display_name=tier.display_name,
        description=tier.description,
        modes=tuple(m.value for m in tier.modes),
        durations=tier.durations,
        resolutions=tier.resolutions,
        default_resolution=tier.default_resolution,
        aspect_ratios=tier.aspect_ratios,
        auto_aspect_modes=tuple(m.value for m in tier.auto_aspect_modes),
        kinds=tuple(k.value for k in Kind if k in tier.media),
        max_references=tier.max_references,
        max_per_kind=MappingProxyType({k.value: tier.media[k].max_count for k in Kind if k in tier.media}),
    )


def _extra_kind(extra) -> str:
    if extra.kind is bool:
        return "bool"
    return "int" if extra.kind is int else "choice"


def _provider_info(spec: ProviderSpec) -> ProviderInfo:
    return ProviderInfo(
        id=spec.id,
        display_name=spec.display_name,
        currency=spec.currency,
        document=spec.document,
        is_remote=spec.is_remote,
        tiers=tuple(_tier_info(t) for t in spec.tiers),
        deprecated_tiers=MappingProxyType(dict(spec.aliases)),
        mode_names=MappingProxyType({m.value: name for m, name in spec.mode_names.items()}),
        extras=tuple(
            ExtraInfo(
                e.name,
                e.label,
                _extra_kind(e),
                e.choices,
                e.default,
                tuple(sorted(e.tiers)) if e.tiers is not None else None,
                tuple(m.value for m in Mode if m in e.modes) if e.modes is not None else None,
                e.help,
            )
            for e in spec.extras
        ),
        named_frames=spec.named_frames,
    )


_INFOS = tuple(_provider_info(spec) for spec in PROVIDERS.values())


def providers() -> tuple[ProviderInfo, ...]:
    """Every provider, the local preview first."""
    return _INFOS


def get_provider(provider_id: str) -> ProviderInfo:
    for info in _INFOS:
        if info.id == provider_id:
            return info
    raise KeyError(provider_id)


MODE_CHOICES = (("auto", "Auto"), *tuple((m.value, label) for m, label in MODE_LABELS.items()))
