"""The reference library: every file a creative uploaded, searchable, reusable in any composition, deletable
when no job's recipe uses it.

  GET  /library/                        the page; with HX-Request, its #library-results fragment (search, kind)
  POST /library/<id>/delete/            delete a file (refused, naming the jobs, while a recipe uses it)
  GET  /compose/library/                the compose page's "Add from library" picker (#library-picker), a page
                                        of its own without JavaScript
  POST /compose/references/add/         (studio.views.add_references) add library files to the draft
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.references.models import Reference
from seedance_studio.references.quota import storage_of
from seedance_studio.studio.models import Composition, CompositionReference, Job
from seedance_studio.studio.views import keeping_mentions

PAGE_SIZE = 48
PICKER_SIZE = 24


class LibraryFilters(forms.Form):
    """The library's query string. A kind that is not one of the choices (an old bookmark) shows everything."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search by name",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Part of a file name", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *Reference.Kind.choices])

    def apply(self, references):
        if not self.is_valid():
            return references
        if self.cleaned_data["q"]:
            references = references.filter(original_name__icontains=self.cleaned_data["q"].strip())
        if self.cleaned_data["kind"]:
            references = references.filter(kind=self.cleaned_data["kind"])
        return references

    @property
    def filtering(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


def library_files(owner):
    """The creative's files, newest first, each with how many jobs' recipes use it and whether the draft does."""
    in_draft = CompositionReference.objects.filter(
        reference=OuterRef("pk"), composition__owner=owner, composition__is_draft=True
    )
    return (
        Reference.objects.filter(owner=owner)
        .annotate(
            job_count=Count("links", filter=Q(links__composition__is_draft=False)),
            in_draft=Exists(in_draft),
        )
        .order_by("-created_at", "-pk")
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def library(request: AuthenticatedHtmxHttpRequest):
    filters = LibraryFilters(request.GET)
    files = filters.apply(library_files(request.user))
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "has_files": page.paginator.count > 0 or Reference.objects.filter(owner=request.user).exists(),
        # Two queries (the quota, the sum of the files' sizes) that only the whole page shows, not each search.
        "storage": SimpleLazyObject(lambda: storage_of(request.user)),
        "query": _query_without_page(request),
    }
    template = "studio/library.html#library-results" if request.htmx else "studio/library.html"
    return render(request, template, context)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_POST
def library_delete(request: AuthenticatedHtmxHttpRequest, public_id):
    reference = get_object_or_404(Reference, public_id=public_id, owner=request.user)
    name = reference.original_name
    using = list(
        Job.objects.filter(owner=request.user, composition__links__reference=reference)
        .select_related("composition")
        .order_by("created_at", "pk")
        .distinct()
    )
    if using:
        messages.error(request, _in_use_message(name, using))
        return redirect(_back_to_library(request))
    draft = Composition.objects.filter(owner=request.user, is_draft=True, links__reference=reference).first()
    if draft is not None:  # its chip goes, and the prompt's mentions follow their files
        keeping_mentions(request, draft, lambda: draft.remove(reference))
    if not reference.delete_with_files():
        messages.error(request, f"{name} was just used by a new job, so it is kept. Delete that job first.")
    else:
        messages.success(request, f"Deleted {name} from your library, with its stored file.")
    return redirect(_back_to_library(request))


def _in_use_message(name: str, jobs: list[Job]) -> str:
    shown = [f"“{job.short_prompt}” ({job.created_at:%d %b %Y %H:%M} UTC, /jobs/{job.public_id}/)" for job in jobs[:5]]
    more = f" and {len(jobs) - 5} more" if len(jobs) > 5 else ""
    count = f"{len(jobs)} job{'s' if len(jobs) != 1 else ''}"
    return (
        f"{name} cannot be deleted: it is in the recipe of {count}: {'; '.join(shown)}{more}. A recipe keeps its "
        "files so the job can be remixed and its page shows what it was made from. Delete those jobs first if "
        "you no longer need them."
    )


def _back_to_library(request) -> str:
    """The library page as the creative left it (search and kind), read from the form's own fields."""
    filters = LibraryFilters(request.POST)
    if filters.is_valid() and filters.filtering:
        return "/library/?" + urlencode({k: v for k, v in filters.cleaned_data.items() if v})
    return "/library/"


@login_required
@require_GET
@vary_on_headers("HX-Request")
def library_picker(request: AuthenticatedHtmxHttpRequest):
    filters = LibraryFilters(request.GET)
    files = list(filters.apply(library_files(request.user))[: PICKER_SIZE + 1])
    context = {
        "filters": filters,
        "files": files[:PICKER_SIZE],
        "more": len(files) > PICKER_SIZE,
        "storage": storage_of(request.user),
    }
    template = "studio/library.html#library-picker" if request.htmx else "studio/library_picker.html"
    return render(request, template, context)
