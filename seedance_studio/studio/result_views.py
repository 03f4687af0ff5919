"""A job's own page and what a creative does from it: download, remix, continue from the last frame, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from seedance_studio import seedance
from seedance_studio.credits.models import LedgerEntry
from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.references.ingest import UploadRefused, ingest_stored
from seedance_studio.references.serving import serve_stored_file
from seedance_studio.studio.evaluation import core_reference
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.owned import own_job


@login_required
@require_GET
def job_detail(request: AuthenticatedHtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    references = job.composition.ordered_references()
    labels = seedance.label_references(tuple(core_reference(reference) for reference in references))
    entries = LedgerEntry.objects.filter(user=request.user, job_public_id=job.public_id).order_by("created_at", "pk")
    return render(
        request,
        "studio/job_detail.html",
        {
            "job": job,
            "references": [(reference, labeled.label) for reference, labeled in zip(references, labels, strict=True)],
            "entries": list(entries),
            "share": job.share_links.active().first(),
            # The other takes of its group, each a side-by-side comparison away.
            "other_takes": list(
                Job.objects.filter(owner=request.user, take_group=job.take_group)
                .exclude(pk=job.pk)
                .order_by("take_number")
                .values_list("public_id", "take_number")
            )
            if job.take_group
            else [],
            "in_chain": job.continues_id is not None or job.continuations.exists(),
        },
    )


@login_required
@require_GET
def job_download(request: AuthenticatedHtmxHttpRequest, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user, status=Job.Status.SUCCEEDED)
    return serve_stored_file(request, job.video, "video/mp4", download_name=job.download_name)


@login_required
@require_POST
def job_remix(request: AuthenticatedHtmxHttpRequest, public_id):
    """The composer with this job's recipe: the same references in the same order and the same settings (also
    "Fix and retry" for a failed job)."""
    job = own_job(request, public_id)
    if job.is_chain_export:
        raise Http404("A chain export has no recipe of its own: remix one of its shots from the chain page.")
    draft = Composition.objects.draft_for(request.user)
    # A remix of a continued shot is another take of it: it continues the same shot.
    draft.load_recipe(job.composition.recipe(), job.composition.ordered_references(), continues=job.continues)
    messages.success(request, "The composer now holds this job's recipe: change what you like and submit.")
    return redirect("compose")


@login_required
@require_POST
def job_continue(request: AuthenticatedHtmxHttpRequest, public_id):
    """A new shot that starts where this one ended: its last frame becomes @image1, with the same settings."""
    job = own_job(request, public_id)
    if job.status != Job.Status.SUCCEEDED or not job.last_frame:
        raise Http404("This job has no last frame to continue from.")
    try:
        frame = ingest_stored(request.user, job.last_frame, f"last frame of {job.public_id.hex[:8]}.png")
    except UploadRefused as refusal:
        messages.error(request, f"The last frame could not be used: {refusal.reason}")
        return redirect("job_detail", public_id=job.public_id)
    recipe = {**job.composition.recipe(), "prompt": "@image1 ", "mode": "auto", "seed": None}
    if job.is_chain_export:
        recipe["duration"] = 5  # an export's composition stands for a film, not a shot's request
    Composition.objects.draft_for(request.user).load_recipe(recipe, [frame], continues=job)
    messages.success(
        request,
        "The composer starts from this video's last frame (@image1). Describe what happens next: the new shot "
        "joins this one's chain.",
    )
    return redirect("compose")


@login_required
@require_POST
def job_delete(request: AuthenticatedHtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    if not job.delete_with_files():
        messages.error(
            request, "A job in flight cannot be deleted: cancel it first (before it is sent), or wait until it ends."
        )
        return redirect("job_detail", public_id=job.public_id)
    messages.success(request, "Deleted, with its files. Its credit lines stay on your statement.")
    return redirect("gallery")
