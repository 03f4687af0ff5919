"""What a provider says it charged for a task, as stored on the job: its own number and unit, and (where the
unit has a known value) the same amount in studio credits, so an admin can hold it against the quote."""

from __future__ import annotations

from decimal import ROUND_CEILING

from django.conf import settings

from seedance_studio.provider_api import ReportedCost
from seedance_studio.provider_api.piapi import POINTS_PER_USD  # GoAPI counts the same points (goapi.py)
from seedance_studio.seedance.pricing import SEEDANCE2_CREDITS, as_pricing_config

UNIT_LABELS = {
    "PIAPI_POINTS": "PiAPI points",
    "GOAPI_POINTS": "GoAPI points",
    SEEDANCE2_CREDITS: "Seedance2 credits",
    "EVOLINK_CREDITS": "EvoLink credits",
}


def in_studio_credits(cost: ReportedCost) -> int | None:
    """The reported amount in studio credits (rounded up, as quotes are); None where the unit's value is not
    documented (EvoLink publishes no price for its credits)."""
    pricing = as_pricing_config(settings.SEEDANCE_PRICING)
    if cost.unit in ("PIAPI_POINTS", "GOAPI_POINTS"):
        amount = cost.amount / POINTS_PER_USD * pricing.studio_credits_per_usd
    elif cost.unit == SEEDANCE2_CREDITS:
        amount = cost.amount * pricing.studio_credits_per_seedance2_credit
    else:
        return None
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def provider_cost_json(cost: ReportedCost | None) -> dict:
    if cost is None:
        return {}
    return {
        "amount": str(cost.amount),
        "unit": cost.unit,
        "unit_label": UNIT_LABELS.get(cost.unit, cost.unit),
        "studio_credits": in_studio_credits(cost),
        "raw": cost.raw,
    }
