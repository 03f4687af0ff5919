"""Takes: one composition made several times at once, to pick the best.

Two ways to vary it: different seeds on one provider, or the same recipe on several providers and tiers. Only
HiAPI documents a seed ("Random seed, range 0-2147483647", 003:122-124; the local preview takes one too). PiAPI
(000), GoAPI (001), the Seedance2 API (002) and EvoLink (004) have none: there the takes are the same request
sent several times, and they differ only by the provider's own randomness. (The "Seed" entries of 000:162 and
001:70 are the navigation of those sites' Midjourney API, not a Seedance parameter.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .compare import variant
from .composition import Composition
from .specs import PROVIDERS


def takes_a_seed(provider: str) -> bool:
    spec = PROVIDERS.get(provider)
    return spec is not None and spec.supports_seed


def seed_takes(composition: Composition, count: int, base_seed: int) -> tuple[Composition, ...]:
    """`count` takes of the composition. Where the provider takes a seed, take n gets seed + n - 1 (wrapping
    inside the provider's range), starting from the composition's own seed if it has one (so take 1 is exactly
    what was composed), else from `base_seed` (the caller's random number: this module stays deterministic).
    Elsewhere every take is the composition as it is."""
    if count < 1:
        raise ValueError("at least one take")
    spec = PROVIDERS.get(composition.provider)
    if spec is None or not spec.supports_seed:
        return (composition,) * count
    low, high = spec.seed_range or (0, 2**31 - 1)
    first = composition.seed if composition.seed is not None else base_seed
    span = high - low + 1
    return tuple(replace(composition, seed=low + (first - low + n) % span) for n in range(count))


def provider_takes(composition: Composition, models: Iterable[str]) -> tuple[Composition, ...]:
    """One take per "provider/tier", in the order given (a model named twice is one take)."""
    takes = []
    for model in dict.fromkeys(models):
        provider, _, tier = model.partition("/")
        takes.append(variant(composition, provider, tier))
    return tuple(takes)
