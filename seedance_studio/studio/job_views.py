from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling

from seedance_studio.credits.balance import fresh_balance_of
from seedance_studio.htmx import HtmxHttpRequest
from seedance_studio.references.serving import serve_stored_file
from seedance_studio.studio.models import Job

GALLERY_SIZE = 30


def gallery_jobs(user):
    return Job.objects.filter(owner=user).select_related("composition")[:GALLERY_SIZE]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def gallery(request: HtmxHttpRequest):
    template = "studio/gallery.html#gallery" if request.htmx else "studio/gallery.html"
    return render(request, template, {"jobs": gallery_jobs(request.user)})


@login_required
@require_GET
def job_card(request: HtmxHttpRequest, public_id):
    job = get_object_or_404(Job.objects.select_related("composition"), public_id=public_id, owner=request.user)
    if request.htmx and request.GET.get("v") == job.version:
        # Nothing changed since the card the browser shows: a cheap empty answer, and no more polls once done.
        return HttpResponseStopPolling() if not job.is_in_flight else HttpResponse(status=204)
    return render(request, "studio/gallery.html#job-card-refresh", {"job": job})


@login_required
@require_POST
def job_cancel(request: HtmxHttpRequest, public_id):
    """Withdraw a job the provider has not been sent yet: its credits are released at once."""
    job = get_object_or_404(Job.objects.select_related("composition"), public_id=public_id, owner=request.user)
    cancelled = job.cancel()
    if not cancelled:
        text = ("This job was already sent to the provider, so it can no longer be cancelled: it will end with a "
                "video, or with a refund." if job.is_in_flight else "This job has already ended.")
    else:
        text = f"Cancelled. {job.price_credits} credits are back in your balance." if job.price_credits else "Cancelled."
    if not request.htmx:
        (messages.success if cancelled else messages.error)(request, text)
        return redirect("gallery")
    job.refresh_from_db()
    return render(request, "studio/gallery.html#job-card-refresh",
                  {"job": job, "notice": text, "balance": fresh_balance_of(request.user)})


@login_required
@require_GET
def job_video(request: HtmxHttpRequest, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user, status=Job.Status.SUCCEEDED)
    download = f"seedance-{job.public_id.hex[:8]}.mp4" if "download" in request.GET else None
    return serve_stored_file(request, job.video, "video/mp4", download_name=download)


@login_required
@require_GET
def job_poster(request: HtmxHttpRequest, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user)
    if not job.poster:
        raise Http404("This job has no poster yet.")
    return serve_stored_file(request, job.poster, "image/jpeg")
