"""What the studio's select boxes offer and how a recipe's settings read, taken from the Seedance core's registry.

It imports the core and nothing of the studio, so the models import it at top level (a composition's
`model_label`), as the forms do. Which values are *valid* for a provider and
tier is the core's business (`seedance.evaluate`): the choices here are wide on purpose, so that a creative who
picks 1080p on a fast tier is told why it does not work there instead of never seeing it.
"""

from __future__ import annotations

import functools

from seedance_studio import seedance
from seedance_studio.seedance import AUTO, MODE_LABELS, Frame
from seedance_studio.seedance.output_sizes import ASPECT_RATIOS, RESOLUTIONS
from seedance_studio.seedance.registry import ASPECT_RATIO_LABELS

DURATION_CHOICES = [(seconds, f"{seconds} s") for seconds in range(4, 16)]
ASPECT_RATIO_CHOICES = [(ratio, ASPECT_RATIO_LABELS.get(ratio, ratio)) for ratio in (*ASPECT_RATIOS, AUTO)]
RESOLUTION_CHOICES = [(resolution, resolution) for resolution in RESOLUTIONS]
MODE_CHOICES = [(AUTO, "Auto (from the references)"), *((str(mode), label) for mode, label in MODE_LABELS.items())]
# An image pinned to a frame (seedance.Frame); "" (no pin) leaves it where the mode puts it.
FRAME_CHOICES = [(str(Frame.FIRST), "First frame"), (str(Frame.LAST), "Last frame")]


@functools.cache
def model_choices() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Grouped choices for the provider/tier select, value "provider/tier". Built once: the registry is fixed
    and the live check builds the compose form on every keystroke."""
    return tuple(
        (
            provider.display_name,
            tuple((f"{provider.id}/{tier.id}", model_label(provider.id, tier.id)) for tier in provider.tiers),
        )
        for provider in seedance.providers()
    )


def model_label(provider_id: str, tier_id: str) -> str:
    """ "PiAPI · Seedance 2 Fast", or just "Local preview"; an unknown name as it is."""
    try:
        provider = seedance.get_provider(provider_id)
    except KeyError:
        return provider_id
    if not provider.is_remote:
        return provider.display_name
    try:
        return f"{provider.display_name} · {provider.tier(tier_id).display_name}"
    except KeyError:
        return f"{provider.display_name} · {tier_id}"
