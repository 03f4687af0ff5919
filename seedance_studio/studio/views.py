"""The compose page: references, the prompt and settings, the live panel, and submitting.

Each endpoint answers with one shape, a partial of studio/compose.html named after it (the out-of-band parts are
marked there, never chosen here):
  GET  /                               the page
  POST /compose/check/                 check-response: #live-panel, and out of band every findings slot and
                                       #submit-area
  GET  /compose/options/               options-response: #provider-options, and out of band each chip's "Use as"
                                       control (#chip-frame-...), both of which follow the selected provider
  POST /compose/references/            references: #references (upload; a chip's "Use as" and adding files from
                                       the library, POST /compose/references/add/, answer the same)
  POST .../move/<dir>/, .../move/,     renumbered-references: #references, and out of band #prompt-field
       .../remove/, .../name/          (.../move/ takes `to`, the new place of a dragged chip)
  POST /compose/submit/                submit-response: #compose-form, and out of band #live-panel and #balance
  POST /compose/takes/                 submit-response, for several takes at once
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from seedance_studio import seedance
from seedance_studio.credits.balance import Balance, balance_of, fresh_balance_of
from seedance_studio.htmx import AuthenticatedHtmxHttpRequest, HtmxHttpRequest
from seedance_studio.references.ingest import UploadRefused, ingest_upload
from seedance_studio.references.models import Reference
from seedance_studio.references.upload_handlers import (
    StreamingUploadHandler,
    abort_unfinished_streams,
    skipped_uploads,
)
from seedance_studio.seedance.mentions import mention_syntax
from seedance_studio.seedance.takes import takes_a_seed
from seedance_studio.studio.availability import submission_blocker
from seedance_studio.studio.evaluation import core_references, evaluate_composition, evaluate_fields
from seedance_studio.studio.forms import PROMPT_MAX_CHARS, ComposeForm, FrameForm, MoveForm, NameForm, TakesForm
from seedance_studio.studio.job_views import gallery_jobs
from seedance_studio.studio.models import Composition, StudioSettings
from seedance_studio.studio.moderation import repeat_moderation_findings
from seedance_studio.studio.panel import labeled_chips, panel_context
from seedance_studio.studio.submission import SubmissionRefused, submit_draft
from seedance_studio.studio.submission import submit_takes as submit_takes_of_draft


def _page_context(
    request: AuthenticatedHtmxHttpRequest,
    draft: Composition,
    form: ComposeForm | None = None,
    *,
    balance: Balance | None = None,
    evaluated=None,
    **extra,
) -> dict:
    """`evaluated`: (references, evaluation) of this draft when the caller has just made them."""
    if evaluated is None:
        references = draft.ordered_references()
        evaluation = evaluate_composition(draft, references)
    else:
        references, evaluation = evaluated
    form = form or ComposeForm(composition=draft)
    return {
        "draft": draft,
        "form": form,
        "jobs": gallery_jobs(request.user),
        **panel_context(
            evaluation,
            references,
            submission_blocker(draft.provider),
            balance=balance or balance_of(request.user),
            form_errors=form.errors if form.is_bound else None,
            history=repeat_moderation_findings(request.user, draft.recipe(), references),
        ),
        # The takes control's choices, 2 to the admin's limit: a query only when the compose form is rendered.
        "take_counts": lambda: list(range(2, StudioSettings.current().max_takes + 1)),
        "seed_providers": [p.display_name for p in seedance.providers() if takes_a_seed(p.id)],
        "seedless_providers": [p.display_name for p in seedance.providers() if not takes_a_seed(p.id)],
        **extra,
    }


@login_required
@require_GET
def compose(request: AuthenticatedHtmxHttpRequest):
    draft = Composition.objects.draft_for(request.user)
    # The mention forms of the core, for mentions.js to highlight exactly what the core will read.
    return render(request, "studio/compose.html", _page_context(request, draft, mention_syntax=mention_syntax()))


@login_required
@require_POST
def check(request: AuthenticatedHtmxHttpRequest):
    """The live panel: re-run the real form and the Seedance core on what is typed, save it as the draft."""
    references = list(Composition.objects.draft_references(request.user))
    form = ComposeForm(request.POST, composition=Composition())
    if form.is_valid():
        fields = form.composition_fields()
        evaluation = evaluate_fields(fields, references)
        Composition.objects.save_draft_fields(request.user, fields)
        unavailable = submission_blocker(fields["provider"])
        history = repeat_moderation_findings(request.user, fields, references)
    else:
        evaluation, unavailable, history = None, None, []
    context = panel_context(
        evaluation, references, unavailable, balance=balance_of(request.user), form_errors=form.errors, history=history
    )
    return render(request, "studio/compose.html#check-response", context)


@login_required
@require_GET
def provider_options(request: AuthenticatedHtmxHttpRequest):
    """A provider's own options, asked for when the provider select changes. The options shown until then come
    along, so one of the same name (HiAPI's and EvoLink's web search) keeps its value as the check saves it.
    Read-only: the check that the same change sends saves the draft."""
    form = ComposeForm(request.GET, composition=Composition())
    chips = labeled_chips(list(Composition.objects.draft_references(request.user)))
    return render(request, "studio/compose.html#options-response", {"form": form, "chips": chips})


@login_required
@require_POST
@csrf_exempt  # only until the handlers are set: the body must not be read before, and the CSRF check reads it
def upload_references(request: AuthenticatedHtmxHttpRequest):
    """Uploads stream on to the bucket while they arrive (on object storage), for signed-in creatives only."""
    request.upload_handlers = [StreamingUploadHandler(request)]
    try:
        return _upload_references(request)
    finally:
        abort_unfinished_streams(request)


@csrf_protect
def _upload_references(request: AuthenticatedHtmxHttpRequest):
    draft = Composition.objects.draft_for(request.user)
    refusals = [str(skipped) for skipped in skipped_uploads(request)]
    files = request.FILES.getlist("files")
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
    return _references_response(request, draft, "references", refusals=refusals)


@login_required
@require_POST
def add_references(request: AuthenticatedHtmxHttpRequest):
    """Add files from the creative's library to the draft, without uploading them again."""
    draft = Composition.objects.draft_for(request.user)
    wanted = request.POST.getlist("reference")
    if not wanted:
        return _references_response(request, draft, "references", refusals=["Choose a file from your library to add."])
    try:
        chosen = [get_object_or_404(Reference, public_id=value, owner=request.user) for value in wanted]
    except ValidationError:  # not a UUID: no such file, as for anyone else's
        raise Http404("No such file in your library.") from None
    present = {reference.pk for reference in draft.ordered_references()}
    refusals = [f"{r.original_name} is already in this composition." for r in chosen if r.pk in present]
    added = [reference for reference in dict.fromkeys(chosen) if reference.pk not in present]
    if added:
        try:
            with transaction.atomic():
                draft.append(added)
        except IntegrityError:  # a double click added the same file a moment ago: it is there once
            refusals.append("That file is already in this composition.")
    return _references_response(request, draft, "references", refusals=refusals)


@login_required
@require_POST
def clear_continuation(request: AuthenticatedHtmxHttpRequest):
    """The draft's next shot is a separate one, not the continuation of the job it started from."""
    draft = Composition.objects.draft_for(request.user)
    draft.set_continues(None)
    return _references_response(
        request, draft, "references", notices=["The next shot will be a separate one, not part of a chain."]
    )


def _references_response(
    request: AuthenticatedHtmxHttpRequest, draft: Composition, shape: str, *, refusals=(), notices=()
):
    """`shape`: the endpoint's partial, "references" or "renumbered-references" (the same plus the prompt)."""
    if not request.htmx:
        for text in refusals:
            messages.error(request, text)
        for text in notices:
            messages.info(request, text)
        return redirect("compose")
    context = _page_context(request, draft, refusals=refusals, notices=notices)
    response = render(request, f"studio/compose.html#{shape}", context)
    # The live panel re-checks the composition with its new references.
    return trigger_client_event(response, "references-changed", after="settle")


def _draft_and_reference(request: AuthenticatedHtmxHttpRequest, public_id) -> tuple[Composition, Reference]:
    reference = get_object_or_404(Reference, public_id=public_id, owner=request.user)
    return Composition.objects.draft_for(request.user), reference


@login_required
@require_POST
def remove_reference(request: AuthenticatedHtmxHttpRequest, public_id):
    draft, reference = _draft_and_reference(request, public_id)
    keeping_mentions(request, draft, lambda: draft.remove(reference))
    return _references_response(request, draft, "renumbered-references")


@login_required
@require_POST
def move_reference(request: AuthenticatedHtmxHttpRequest, public_id, direction: str):
    if direction not in ("earlier", "later"):
        raise Http404("A reference moves earlier or later.")
    draft, reference = _draft_and_reference(request, public_id)
    keeping_mentions(request, draft, lambda: draft.move(reference, -1 if direction == "earlier" else 1))
    return _references_response(request, draft, "renumbered-references")


@login_required
@require_POST
def move_reference_to(request: AuthenticatedHtmxHttpRequest, public_id):
    """A chip dragged (or moved with the keyboard) to a new place; the arrow buttons stay for pages without
    JavaScript. A place past the end puts it last."""
    draft, reference = _draft_and_reference(request, public_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        keeping_mentions(request, draft, lambda: None)  # the prompt as typed is kept all the same
        return _references_response(request, draft, "renumbered-references", refusals=form.problems())
    keeping_mentions(request, draft, lambda: draft.move_to(reference, form.cleaned_data["to"]))
    return _references_response(request, draft, "renumbered-references")


@login_required
@require_POST
def pin_reference(request: AuthenticatedHtmxHttpRequest, public_id):
    """A chip's "Use as" control: pin the image to the first or last frame, or make it a reference again."""
    draft, reference = _draft_and_reference(request, public_id)
    form = FrameForm(request.POST, reference=reference)
    if not form.is_valid():
        return _references_response(request, draft, "references", refusals=form.problems())
    frame = form.cleaned_data["frame"]
    displaced = draft.pin(reference, frame)
    notices = []
    if displaced is not None:
        labels = {
            labeled.id: labeled.label
            for labeled in seedance.label_references(core_references(draft.ordered_references()))
        }
        notices.append(
            f"{labels.get(str(displaced.public_id), displaced.original_name)} is no longer pinned: "
            f"{labels.get(str(reference.public_id), reference.original_name)} is the {frame} frame now "
            f"(a video has one)."
        )
    return _references_response(request, draft, "references", notices=notices)


@login_required
@require_POST
def name_reference(request: AuthenticatedHtmxHttpRequest, public_id):
    """A chip's name field: name the reference (@hero), rename it, or clear its name. The prompt's mentions of it
    follow, as they follow a reorder: @hero becomes @lead, or @image2 once the name is cleared."""
    draft, reference = _draft_and_reference(request, public_id)
    form = NameForm(request.POST)
    problems = [] if form.is_valid() else form.problems()

    def rename() -> None:
        if not problems:
            problem = draft.rename(reference, form.cleaned_data["name"])
            if problem:
                problems.append(problem)

    keeping_mentions(request, draft, rename)
    return _references_response(request, draft, "renumbered-references", refusals=problems)


def keeping_mentions(request: HtmxHttpRequest, draft: Composition, change) -> None:
    """Apply a reorder, removal or rename and rewrite the prompt's mentions so each keeps pointing at the same
    file.

    The prompt is the one on the creative's screen, which the chips' forms send along (the saved one without
    JavaScript): what was typed since the last check is kept, renumbered, and saved with the draft."""
    typed = request.POST.get("prompt")
    prompt = typed if typed is not None and len(typed) <= PROMPT_MAX_CHARS else draft.prompt
    before = [(str(r.public_id), r.kind, r.mention_name) for r in draft.ordered_references()]
    change()
    after = [(str(r.public_id), r.kind, r.mention_name) for r in draft.ordered_references()]
    prompt = seedance.renumber_mentions(prompt, before, after)
    if prompt != draft.prompt:
        draft.save_draft_fields({"prompt": prompt})


@login_required
@require_POST
def submit(request: AuthenticatedHtmxHttpRequest):
    draft = Composition.objects.draft_for(request.user)
    draft.owner = request.user  # already loaded: spares a query
    form = ComposeForm(request.POST, composition=draft)
    problems: list[str] = []
    jobs, evaluated = [], None
    if form.is_valid():
        draft.save_draft_fields(form.composition_fields())
        references = draft.ordered_references()
        evaluated = (references, evaluate_composition(draft, references))
        try:
            jobs = [submit_draft(draft, form.cleaned_data["submission_key"], evaluation=evaluated[1])]
        except SubmissionRefused as refusal:
            problems = refusal.problems
    return _submitted(request, draft, form, problems, jobs, evaluated)


@login_required
@require_POST
def submit_takes(request: AuthenticatedHtmxHttpRequest):
    """Several takes of the composition at once (TakesForm): one job and one reservation each, all or nothing."""
    draft = Composition.objects.draft_for(request.user)
    draft.owner = request.user
    form = ComposeForm(request.POST, composition=draft)
    takes_form = TakesForm(request.POST, max_takes=StudioSettings.current().max_takes)
    problems: list[str] = []
    jobs: list = []
    if form.is_valid() and takes_form.is_valid():
        draft.save_draft_fields(form.composition_fields())
        data = takes_form.cleaned_data
        try:
            jobs = submit_takes_of_draft(
                draft,
                form.cleaned_data["submission_key"],
                references=draft.ordered_references(),
                count=data["take_count"],
                models=data["take_models"] if data["take_vary"] == "providers" else None,
            )
        except SubmissionRefused as refusal:
            problems = refusal.problems
    else:
        problems = takes_form.problems() if form.is_valid() else []
    return _submitted(request, draft, form, problems, jobs, None)


def _submitted(request, draft: Composition, form: ComposeForm, problems: list[str], jobs: list, evaluated):
    """What submit and submit-takes answer: submit-response (with HTMX), else a redirect with messages."""
    if not request.htmx:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        for text in problems:
            messages.error(request, text)
        if len(jobs) > 1:
            messages.success(request, f"{len(jobs)} takes submitted. They appear together in the gallery.")
        elif jobs:
            messages.success(request, "Submitted. Your video appears in the gallery when it is ready.")
        return redirect("compose")
    fresh_form = ComposeForm(composition=draft) if jobs else form
    # The reservation just changed the balance: the header and the panel show it as the database has it now.
    context = _page_context(
        request,
        draft,
        fresh_form,
        problems=problems,
        submitted=jobs[0] if jobs else None,
        submitted_takes=len(jobs) if len(jobs) > 1 else 0,
        balance=fresh_balance_of(request.user),
        evaluated=evaluated,
    )
    response = render(request, "studio/compose.html#submit-response", context)
    if jobs:
        trigger_client_event(response, "job-created", {"job": str(jobs[0].public_id)})
    return response
