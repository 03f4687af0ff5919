"""The compare view's rows: the core's comparison (seedance.compare) of the composition being edited, with what
only the studio knows beside each provider and tier: whether it is set up here, how long similar jobs took here,
and whether the creative's balance covers it. No query of its own (waits.py says how)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from seedance_studio import seedance
from seedance_studio.credits.balance import Balance
from seedance_studio.references.models import Reference
from seedance_studio.seedance.compare import Option, compare
from seedance_studio.studio.availability import submission_blocker
from seedance_studio.studio.evaluation import core_composition
from seedance_studio.studio.waits import Wait, typical_waits


@dataclass(frozen=True)
class Row:
    option: Option
    wait: Wait | None  # None: no history yet
    unavailable: str | None  # why this studio cannot submit to the provider now (not set up...)
    shortfall: int  # credits the balance is short of this price
    selected: bool  # the composer's current provider and tier
    ticked: bool  # chosen for takes on several providers


def comparison_rows(
    fields: Mapping[str, Any], references: Iterable[Reference], balance: Balance, ticked: Iterable[str] = ()
) -> list[Row]:
    composition = core_composition(fields, references)
    waits = typical_waits()
    blockers = {provider.id: submission_blocker(provider.id) for provider in seedance.providers()}
    current = f"{composition.provider}/{composition.tier}"
    ticked = set(ticked)
    rows = []
    for option in compare(composition, settings.SEEDANCE_PRICING):
        quote = option.quote
        rows.append(
            Row(
                option=option,
                wait=waits.get((option.provider, option.tier, composition.duration or 0)),
                unavailable=blockers.get(option.provider),
                shortfall=balance.shortfall(quote.studio_credits) if quote is not None and option.is_valid else 0,
                selected=option.model == current,
                ticked=option.model in ticked,
            )
        )
    return rows
