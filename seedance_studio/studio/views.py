"""The compose page: references, the prompt and settings, the live panel, and submitting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from seedance_studio import seedance
from seedance_studio.credits.balance import Balance, balance_of, fresh_balance_of
from seedance_studio.htmx import HtmxHttpRequest
from seedance_studio.references.ingest import UploadRefused, ingest_upload
from seedance_studio.references.models import Reference
from seedance_studio.studio.availability import submission_blocker
from seedance_studio.studio.evaluation import core_reference, evaluate_composition, evaluate_fields
from seedance_studio.studio.forms import ComposeForm, FrameForm
from seedance_studio.studio.job_views import gallery_jobs
from seedance_studio.studio.models import Composition
from seedance_studio.studio.moderation import repeat_moderation_findings
from seedance_studio.studio.panel import panel_context
from seedance_studio.studio.submission import SubmissionRefused, submit_draft


def _page_context(request: HtmxHttpRequest, draft: Composition, form: ComposeForm | None = None, *,
                  balance: Balance | None = None, evaluated=None, **extra) -> dict:
    """`evaluated`: (references, evaluation) of this draft when the caller has just made them."""
    references, evaluation = evaluated or (None, None)
    if evaluation is None:
        references = draft.ordered_references()
        evaluation = evaluate_composition(draft, references)
    form = form or ComposeForm(composition=draft)
    return {
        "draft": draft,
        "form": form,
        "jobs": gallery_jobs(request.user),
        **panel_context(evaluation, references, submission_blocker(draft.provider),
                        balance=balance or balance_of(request.user),
                        form_errors=form.errors if form.is_bound else None,
                        history=repeat_moderation_findings(request.user, draft.recipe(), references)),
        **extra,
    }


@login_required
@require_GET
def compose(request: HtmxHttpRequest):
    draft = Composition.objects.draft_for(request.user)
    return render(request, "studio/compose.html", _page_context(request, draft))


@login_required
@require_POST
def check(request: HtmxHttpRequest):
    """The live panel: re-run the real form and the Seedance core on what is typed, save it as the draft."""
    references = list(Composition.objects.draft_references(request.user))
    form = ComposeForm(request.POST, composition=Composition())
    if form.is_valid():
        fields = form.composition_fields()
        evaluation = evaluate_fields(fields, references)
        Composition.objects.filter(owner=request.user, is_draft=True).update(**fields)
        unavailable = submission_blocker(fields["provider"])
        history = repeat_moderation_findings(request.user, fields, references)
    else:
        evaluation, unavailable, history = None, None, []
    context = panel_context(evaluation, references, unavailable, balance=balance_of(request.user),
                            form_errors=form.errors, history=history)
    # A new provider brings its own options: send them along (only then, so typing in one is never interrupted).
    provider_changed = request.POST.get("options_for") != form.provider_id
    return render(request, "studio/compose.html#live-panel",
                  {**context, "oob": True, "form": form, "provider_changed": provider_changed})


@login_required
@require_POST
def upload_references(request: HtmxHttpRequest):
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
    return _references_response(request, draft, refusals=refusals)


def _references_response(request: HtmxHttpRequest, draft: Composition, *, refusals=(), notices=(),
                         prompt_changed=False):
    if not request.htmx:
        for text in refusals:
            messages.error(request, text)
        for text in notices:
            messages.info(request, text)
        return redirect("compose")
    context = _page_context(request, draft, refusals=refusals, notices=notices, prompt_changed=prompt_changed)
    response = render(request, "studio/compose.html#references", context)
    # The live panel re-checks the composition with its new references.
    return trigger_client_event(response, "references-changed", after="settle")


def _draft_and_reference(request: HtmxHttpRequest, public_id) -> tuple[Composition, Reference]:
    reference = get_object_or_404(Reference, public_id=public_id, owner=request.user)
    return Composition.objects.draft_for(request.user), reference


@login_required
@require_POST
def remove_reference(request: HtmxHttpRequest, public_id):
    draft, reference = _draft_and_reference(request, public_id)
    changed = _keeping_mentions(draft, lambda: draft.remove(reference))
    return _references_response(request, draft, prompt_changed=changed)


@login_required
@require_POST
def move_reference(request: HtmxHttpRequest, public_id, direction: str):
    if direction not in ("earlier", "later"):
        raise Http404("A reference moves earlier or later.")
    draft, reference = _draft_and_reference(request, public_id)
    changed = _keeping_mentions(draft, lambda: draft.move(reference, -1 if direction == "earlier" else 1))
    return _references_response(request, draft, prompt_changed=changed)


@login_required
@require_POST
def pin_reference(request: HtmxHttpRequest, public_id):
    """A chip's "Use as" control: pin the image to the first or last frame, or make it a reference again."""
    draft, reference = _draft_and_reference(request, public_id)
    form = FrameForm(request.POST, reference=reference)
    if not form.is_valid():
        return _references_response(request, draft, refusals=form.problems())
    frame = form.cleaned_data["frame"]
    displaced = draft.pin(reference, frame)
    notices = []
    if displaced is not None:
        labels = {labeled.id: labeled.label for labeled in seedance.label_references(
            tuple(core_reference(r) for r in draft.ordered_references()))}
        notices.append(f"{labels.get(str(displaced.public_id), displaced.original_name)} is no longer pinned: "
                       f"{labels.get(str(reference.public_id), reference.original_name)} is the {frame} frame now "
                       f"(a video has one).")
    return _references_response(request, draft, notices=notices)


def _keeping_mentions(draft: Composition, change) -> bool:
    """Apply a reorder or removal and renumber the prompt's mentions so each keeps pointing at the same file."""
    before = [(str(r.public_id), r.kind) for r in draft.ordered_references()]
    change()
    after = [(str(r.public_id), r.kind) for r in draft.ordered_references()]
    prompt = seedance.renumber_mentions(draft.prompt, before, after)
    if prompt == draft.prompt:
        return False
    draft.prompt = prompt
    draft.save(update_fields=["prompt", "updated_at"])
    return True


@login_required
@require_POST
def submit(request: HtmxHttpRequest):
    draft = Composition.objects.draft_for(request.user)
    draft.owner = request.user  # already loaded: spares a query
    form = ComposeForm(request.POST, composition=draft)
    problems: list[str] = []
    job, evaluated = None, None
    if form.is_valid():
        draft.save_recipe(form.composition_fields())
        references = draft.ordered_references()
        evaluated = (references, evaluate_composition(draft, references))
        try:
            job = submit_draft(draft, form.cleaned_data["submission_key"], evaluation=evaluated[1])
        except SubmissionRefused as refusal:
            problems = refusal.problems
    if not request.htmx:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        for text in problems:
            messages.error(request, text)
        if job is not None:
            messages.success(request, "Submitted. Your video appears in the gallery when it is ready.")
        return redirect("compose")
    fresh_form = ComposeForm(composition=draft) if job is not None else form
    # The reservation just changed the balance: the header and the panel show it as the database has it now.
    context = _page_context(request, draft, fresh_form, problems=problems, submitted=job, panel_oob=True,
                            balance=fresh_balance_of(request.user), evaluated=evaluated)
    response = render(request, "studio/compose.html#submit-response", context)
    if job is not None:
        trigger_client_event(response, "job-created", {"job": str(job.public_id)})
    return response
