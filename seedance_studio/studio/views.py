from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling, trigger_client_event

from seedance_studio.references.ingest import UploadRefused, ingest_upload
from seedance_studio.references.models import Reference
from seedance_studio.references.serving import serve_stored_file
from seedance_studio.studio.forms import ComposeForm
from seedance_studio.studio.models import Composition, Job, mention_labels
from seedance_studio.studio.submission import SubmissionRefused, submit_draft

GALLERY_SIZE = 30


def _compose_context(request, draft: Composition, form: ComposeForm | None = None, **extra) -> dict:
    return {
        "draft": draft,
        "chips": mention_labels(draft.ordered_references()),
        "form": form or ComposeForm(instance=draft),
        "jobs": Job.objects.filter(owner=request.user).select_related("composition")[:GALLERY_SIZE],
        **extra,
    }


@login_required
@require_GET
def compose(request):
    draft = Composition.objects.draft_for(request.user)
    return render(request, "studio/compose.html", _compose_context(request, draft))


@login_required
@require_POST
def upload_references(request):
    draft = Composition.objects.draft_for(request.user)
    files = request.FILES.getlist("files")  # parses the body first: the upload handler records what it refused
    refusals = [f"{name} {reason}" for name, reason in getattr(request, "refused_uploads", [])]
    if not files and not refusals:
        refusals.append("No file arrived. Choose one or more images, videos or audio files, or drop them here.")
    added = []
    for uploaded in files:
        try:
            added.append(ingest_upload(request.user, uploaded))
        except UploadRefused as refusal:
            refusals.append(f"{refusal.file_name} was refused: {refusal.reason}")
    if added:
        draft.append(added)
    if not request.htmx:
        for text in refusals:
            messages.error(request, text)
        return redirect("compose")
    context = _compose_context(request, draft, refusals=refusals, added=len(added))
    return render(request, "studio/compose.html#references", context)


def _draft_reference(request, public_id) -> tuple[Composition, Reference]:
    reference = get_object_or_404(Reference, public_id=public_id, owner=request.user)
    return Composition.objects.draft_for(request.user), reference


def _references_response(request, draft: Composition):
    if not request.htmx:
        return redirect("compose")
    return render(request, "studio/compose.html#references", _compose_context(request, draft))


@login_required
@require_POST
def remove_reference(request, public_id):
    draft, reference = _draft_reference(request, public_id)
    draft.remove(reference)
    return _references_response(request, draft)


@login_required
@require_POST
def move_reference(request, public_id, direction: str):
    draft, reference = _draft_reference(request, public_id)
    draft.move(reference, -1 if direction == "earlier" else 1)
    return _references_response(request, draft)


@login_required
@require_POST
def submit(request):
    draft = Composition.objects.draft_for(request.user)
    form = ComposeForm(request.POST, instance=draft)
    problems: list[str] = []
    job = None
    if form.is_valid():
        draft = form.save()
        try:
            job = submit_draft(draft, form.cleaned_data["submission_key"])
        except SubmissionRefused as refusal:
            problems = refusal.problems
    if not request.htmx:
        for text in problems:
            messages.error(request, text)
        if job is not None:
            messages.success(request, "Submitted. Your video appears in the gallery when it is ready.")
        return redirect("compose")
    fresh_form = ComposeForm(instance=draft) if job is not None else form
    response = render(request, "studio/compose.html#compose-form",
                      _compose_context(request, draft, fresh_form, problems=problems, submitted=job))
    if job is not None:
        trigger_client_event(response, "job-created", {"job": str(job.public_id)})
    return response


@login_required
@require_GET
@vary_on_headers("HX-Request")
def gallery(request):
    jobs = Job.objects.filter(owner=request.user).select_related("composition")[:GALLERY_SIZE]
    template = "studio/gallery.html#gallery" if request.htmx else "studio/gallery.html"
    return render(request, template, {"jobs": jobs})


@login_required
@require_GET
def job_card(request, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user)
    if request.htmx and request.GET.get("v") == job.version:
        # Nothing changed since the card the browser shows: a cheap empty answer, and no more polls once done.
        return HttpResponseStopPolling() if not job.is_in_flight else HttpResponse(status=204)
    return render(request, "studio/gallery.html#job-card", {"job": job})


@login_required
@require_GET
def job_video(request, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user, status=Job.Status.SUCCEEDED)
    download = f"seedance-{job.public_id.hex[:8]}.mp4" if "download" in request.GET else None
    return serve_stored_file(request, job.video, "video/mp4", download_name=download)


@login_required
@require_GET
def job_poster(request, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user)
    if not job.poster:
        return HttpResponse(status=404)
    return serve_stored_file(request, job.poster, "image/jpeg")
