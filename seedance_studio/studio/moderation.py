"""Live-panel findings the pure core cannot make because they need the creative's own history.

GoAPI: "Repeated violations incur progressive credit penalties" (001:344-346). Before a creative sends again
a recipe GoAPI's moderation already refused, the panel warns them (a warning: they may have a good reason, and
only the provider decides what it flags).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from seedance_studio.provider_api import WIRES
from seedance_studio.references.models import Reference
from seedance_studio.seedance import Finding, Severity
from seedance_studio.studio.models import Job

REPEAT_CODE = "moderation.repeat"


def repeat_moderation_findings(owner, fields: Mapping[str, Any], references: Iterable[Reference]) -> list[Finding]:
    """A warning when this same prompt with these same references was refused by moderation at a provider that
    penalises repeats (its wire module's `MODERATION_PENALTY`). The references are compared as a set: moderation
    judges what is in them, not their order.

    No query at all for the other providers; otherwise one, on the owner's jobs (the `owner` indexes), with the
    prompt compared in the database and the matching jobs' references read in the same query.
    """
    provider = fields.get("provider") or ""
    wire = WIRES.get(provider)
    if wire is None:
        return []
    penalty = getattr(wire, "MODERATION_PENALTY", "")
    prompt = fields.get("prompt") or ""
    if not penalty or not prompt.strip():
        return []
    rows = (
        Job.objects.filter(
            owner=owner, provider=provider, status=Job.Status.FAILED, moderation=True, composition__prompt=prompt
        )
        .order_by()
        .values_list("pk", "composition__links__reference_id")
    )
    refused: dict[int, set[int]] = {}
    for job_pk, reference_pk in rows:
        refused.setdefault(job_pk, set())
        if reference_pk is not None:
            refused[job_pk].add(reference_pk)
    wanted = {reference.pk for reference in references}
    if wanted not in refused.values():
        return []
    refused_what = "this prompt with these references" if wanted else "this prompt"
    change = "reword what was flagged or change the references" if wanted else "reword what was flagged"
    return [
        Finding(
            Severity.WARNING,
            REPEAT_CODE,
            f"{wire.DISPLAY_NAME}'s moderation already refused {refused_what}. {penalty}: {change} "
            f"before you submit it again.",
            field="prompt",
            source="001:345",
        )
    ]
