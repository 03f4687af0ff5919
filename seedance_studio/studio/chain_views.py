"""Shot chains: the shots that led to a job ("Continue from the last frame", one after another), played in order
as one film, and exported as one MP4 by the worker (free, kept and shared like any result).

  GET  /chains/<job id>/          the chain ending at that job, oldest shot first, with its player
  POST /chains/<job id>/export/   queue the export; redirects to the export's own job page (progress, then video)
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.studio.models import Job
from seedance_studio.studio.owned import own_job


def export_blocker(shots: list[Job]) -> str:
    """Why this chain cannot be exported yet, in words ("" when it can)."""
    if len(shots) < 2:
        return (
            "A chain needs at least two shots to export: open a finished shot and choose "
            "“Continue from the last frame” to add the next one."
        )
    for number, shot in enumerate(shots, start=1):
        if shot.status != Job.Status.SUCCEEDED or not shot.video:
            state = shot.get_status_display().lower()
            return f"Shot {number} is {state}: a chain exports once every shot has its video. " + (
                "Wait for it to finish."
                if shot.is_in_flight
                else "Open it and choose Fix and retry, then continue the chain from the new take."
            )
    return ""


@login_required
@require_GET
def chain(request: AuthenticatedHtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    shots = job.chain()
    shot_ids = [str(shot.public_id) for shot in shots]
    return render(
        request,
        "studio/chain.html",
        {
            "job": job,
            "shots": shots,
            "total_seconds": sum(shot.duration or 0 for shot in shots if shot.status == Job.Status.SUCCEEDED),
            "blocker": export_blocker(shots),
            "continuations": list(
                job.continuations.filter(owner=request.user).select_related("composition").order_by("created_at")
            ),
            "exports": list(
                Job.objects.filter(owner=request.user, kind=Job.Kind.CHAIN_EXPORT, chain_shots=shot_ids)
                .select_related("composition")
                .order_by("-created_at")
            ),
            "submission_key": uuid.uuid4(),
        },
    )


@login_required
@require_POST
def chain_export(request: AuthenticatedHtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    shots = job.chain()
    blocker = export_blocker(shots)
    if blocker:
        messages.error(request, blocker)
        return redirect("chain", public_id=job.public_id)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        key = uuid.uuid4()  # no key (a hand-made request): this click makes one export
    export = Job.objects.create_chain_export(owner=request.user, shots=shots, submission_key=key)
    messages.success(
        request,
        f"Exporting {len(shots)} shots as one MP4 (free). This page shows its progress; it is kept, downloaded "
        "and shared like any video.",
    )
    return redirect("job_detail", public_id=export.public_id)
