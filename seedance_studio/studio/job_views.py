"""The gallery and each job's card: every past job reachable, filtered and searched from the URL, and cards
that follow their job live for as long as it is in flight, and no longer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling

from seedance_studio import seedance
from seedance_studio.credits.balance import fresh_balance_of
from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.references.serving import serve_stored_file
from seedance_studio.studio.models import Job
from seedance_studio.studio.models.composition import MODE_CHOICES
from seedance_studio.studio.owned import own_job

# Whole rows at 2, 3, 4 or 6 cards across; a page renders within the 25 ms budget (benchmarks/gallery.py).
PAGE_SIZE = 24
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What no card reads and can be large (JSON, parsed per row): left in the database.
UNSHOWN = ("request_body", "result_outputs", "quote", "provider_cost", "composition__extras")


class GalleryFilters(forms.Form):
    """The gallery's query string: what to show, and where the page starts. A value that is not one of the
    choices (an old bookmark) is ignored rather than refused."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search prompts",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words from a prompt", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Job.Status.choices])
    provider = forms.ChoiceField(
        required=False, choices=[("", "Any provider"), *((p.id, p.display_name) for p in seedance.providers())]
    )
    mode = forms.ChoiceField(required=False, choices=[("", "Any mode"), *MODE_CHOICES])
    before = forms.RegexField(required=False, regex=r"^\d{1,18}-\d{1,18}$", widget=forms.HiddenInput)

    def criteria(self) -> dict[str, str]:
        """The filters in force (valid and not empty), as they belong in a URL."""
        self.is_valid()
        return {
            name: self.cleaned_data[name] for name in ("q", "status", "provider", "mode") if self.cleaned_data.get(name)
        }

    def cursor(self) -> tuple[datetime, int] | None:
        self.is_valid()
        if not self.cleaned_data.get("before"):
            return None
        micros, pk = self.cleaned_data["before"].split("-")
        try:
            return EPOCH + timedelta(microseconds=int(micros)), int(pk)
        except OverflowError:  # past the year 9999: no such page
            return None


def _cursor_of(job: Job) -> str:
    """(created_at, pk) in a URL: exact microseconds, no float rounding."""
    return f"{(job.created_at - EPOCH) // timedelta(microseconds=1)}-{job.pk}"


def _matching(jobs, criteria: dict[str, str]):
    if "q" in criteria:
        jobs = jobs.filter(composition__prompt__icontains=criteria["q"])
    if "status" in criteria:
        jobs = jobs.filter(status=criteria["status"])
    if "provider" in criteria:
        jobs = jobs.filter(provider=criteria["provider"])
    if "mode" in criteria:
        jobs = jobs.filter(composition__mode=criteria["mode"])
    return jobs


def _with_card_facts(jobs: list[Job], *, take_headers: bool = True) -> list[Job]:
    """Give each card what it shows beyond its own row (queue place, run time estimate, and with `take_headers`
    its take group's header): one query each for the whole page, never one per card."""
    positions = Job.objects.queue_positions(jobs)
    estimates = Job.objects.run_time_estimates(jobs)
    groups = _take_groups(jobs) if take_headers else {}
    seen = set()
    for job in jobs:
        job.queue_place = positions.get(job.pk)
        job.estimate = estimates.get(job.pk)
        # The first card of each take group on the page carries the group's header ("4 takes", Compare).
        job.take_header = None
        if job.take_group is not None and job.take_group not in seen:
            seen.add(job.take_group)
            job.take_header = groups.get(job.take_group)
    return jobs


def _take_groups(jobs: list[Job]) -> dict:
    """{group: {"size", "a", "b"}} for the take groups among `jobs`: their size and the first two takes (what the
    header's Compare opens), in one query for the page, none when it has no takes."""
    group_ids = {job.take_group for job in jobs if job.take_group is not None}
    if not group_ids:
        return {}
    members: dict = {}
    rows = Job.objects.filter(take_group__in=group_ids).order_by("take_number").values_list("take_group", "public_id")
    for group, public_id in rows:
        members.setdefault(group, []).append(public_id)
    return {
        group: {"size": len(ids), "a": ids[0], "b": ids[1] if len(ids) > 1 else ids[0]}
        for group, ids in members.items()
    }


def _page(user, criteria: dict[str, str], cursor: tuple[datetime, int] | None) -> tuple[list[Job], str | None]:
    """One page of the creative's cards, newest first, and the cursor of the next (older) page, if any."""
    jobs = _matching(Job.objects.filter(owner=user), criteria)
    if cursor:
        jobs = jobs.older_than(*cursor)
    rows = list(jobs.select_related("composition").defer(*UNSHOWN).order_by("-created_at", "-pk")[: PAGE_SIZE + 1])
    page = rows[:PAGE_SIZE]
    older = _cursor_of(page[-1]) if len(rows) > PAGE_SIZE else None
    return _with_card_facts(_takes_in_order(page)), older


def _takes_in_order(jobs: list[Job]) -> list[Job]:
    """The page newest first, but the takes of a group (made together, so side by side) from take 1 up: a
    group reads left to right like the composer made it."""
    ordered: list[Job] = []
    for job in jobs:
        run_start = len(ordered)
        while run_start and job.take_group is not None and ordered[run_start - 1].take_group == job.take_group:
            run_start -= 1
        if run_start < len(ordered):
            ordered.insert(
                run_start + sum(1 for j in ordered[run_start:] if (j.take_number or 0) < (job.take_number or 0)), job
            )
        else:
            ordered.append(job)
    return ordered


def gallery_jobs(user):
    """The newest page of cards, for the compose page; queried only if the page renders the gallery."""
    return SimpleLazyObject(lambda: _page(user, {}, None)[0])


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def gallery(request: AuthenticatedHtmxHttpRequest):
    filters = GalleryFilters(request.GET)
    criteria, cursor = filters.criteria(), filters.cursor()
    jobs, older = _page(request.user, criteria, cursor)
    gallery_url = reverse("gallery")
    context = {
        "filters": filters,
        "jobs": jobs,
        "filtering": bool(criteria),
        "paged": cursor is not None,
        "older_url": f"{gallery_url}?{urlencode({**criteria, 'before': older})}" if older else None,
        "newest_url": f"{gallery_url}?{urlencode(criteria)}" if criteria else gallery_url,
        # Only an empty filtered page needs to know whether there is anything at all ("no match" vs "no jobs").
        "has_jobs": bool(jobs)
        or ((bool(criteria) or cursor is not None) and Job.objects.filter(owner=request.user).exists()),
    }
    template = "studio/gallery.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#gallery-results"
    return render(request, template, context)


@login_required
@require_GET
def job_card(request: AuthenticatedHtmxHttpRequest, public_id):
    """A card's own refresh. "Nothing changed" is answered from three columns before anything else is loaded or
    rendered: 204 while the job is in flight, 286 (htmx stops polling) once it has ended."""
    seen = get_object_or_404(
        Job.objects.only("status", "progress", "updated_at"), public_id=public_id, owner=request.user
    )
    if request.htmx and request.GET.get("v") == seen.version:
        return HttpResponse(status=204) if seen.is_in_flight else HttpResponseStopPolling()
    job = Job.objects.select_related("composition").defer(*UNSHOWN).get(pk=seen.pk)
    # A card's refresh is the card alone: the take group's header above it stays as the page drew it.
    job = _with_card_facts([job], take_headers=False)[0]
    return render(request, "studio/gallery.html#job-card-refresh", {"job": job})


@login_required
@require_POST
def job_cancel(request: AuthenticatedHtmxHttpRequest, public_id):
    """Withdraw a job the provider has not been sent yet: its credits are released at once."""
    job = own_job(request, public_id)
    cancelled = job.cancel()
    if not cancelled:
        text = (
            "This job was already sent to the provider, so it can no longer be cancelled: it will end with a "
            "video, or with a refund."
            if job.is_in_flight
            else "This job has already ended."
        )
    else:
        text = (
            f"Cancelled. {job.price_credits} credits are back in your balance." if job.price_credits else "Cancelled."
        )
    if not request.htmx:
        (messages.success if cancelled else messages.error)(request, text)
        return redirect("gallery")
    job.refresh_from_db()
    return render(
        request,
        "studio/gallery.html#job-card-refresh",
        {"job": job, "notice": text, "balance": fresh_balance_of(request.user)},
    )


@login_required
@require_GET
def job_video(request: AuthenticatedHtmxHttpRequest, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user, status=Job.Status.SUCCEEDED)
    return serve_stored_file(request, job.video, "video/mp4")


@login_required
@require_GET
def job_poster(request: AuthenticatedHtmxHttpRequest, public_id):
    job = get_object_or_404(Job, public_id=public_id, owner=request.user)
    if not job.poster:
        raise Http404("This job has no poster yet.")
    return serve_stored_file(request, job.poster, "image/jpeg")
