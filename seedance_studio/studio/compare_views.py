"""Compare: the composition being edited on every provider and tier at once, and switching the composer to one.

GET  /compose/compare/         the comparison of the saved draft, as a page (what the link works without JS)
POST /compose/compare/table/   compare-table: the comparison of what is typed (the compose form, posted as the
                               live check posts it); read-only, two queries: the user with their balance and
                               the draft's references, the live check's first two
POST /compose/compare/use/     switch the draft to a provider and tier, then back to the composer (no JS; with
                               JS, compare.js sets the composer's select instead, which re-runs the live check)
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from seedance_studio.credits.balance import balance_of
from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.studio.comparison import comparison_rows
from seedance_studio.studio.evaluation import COMPOSITION_FIELDS
from seedance_studio.studio.forms import ComposeForm, ProviderTierForm
from seedance_studio.studio.models import Composition


@login_required
@require_GET
def compare_page(request: AuthenticatedHtmxHttpRequest):
    draft = Composition.objects.draft_for(request.user)
    fields = {name: getattr(draft, name) for name in COMPOSITION_FIELDS}
    rows = comparison_rows(fields, draft.ordered_references(), balance_of(request.user))
    # Standalone: no composer on this page, so no "Take" column (its boxes belong to the compose form).
    context = {"rows": rows, "draft": draft, "form_errors": None, "standalone": True}
    return render(request, "studio/compare.html", context)


@login_required
@require_POST
def compare_table(request: AuthenticatedHtmxHttpRequest):
    references = list(Composition.objects.draft_references(request.user))
    form = ComposeForm(request.POST, composition=Composition())
    rows = []
    if form.is_valid():
        ticked = request.POST.getlist("take_models")
        rows = comparison_rows(form.composition_fields(), references, balance_of(request.user), ticked)
    context = {"rows": rows, "form_errors": [str(e) for errors in form.errors.values() for e in errors]}
    return render(request, "studio/compare.html#compare-table", context)


@login_required
@require_POST
def compare_use(request: AuthenticatedHtmxHttpRequest):
    form = ProviderTierForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.problem())
        return redirect("compare")
    draft = Composition.objects.draft_for(request.user)
    provider, tier = form.provider_and_tier()
    changes: dict = {"provider": provider, "tier": tier}
    if provider != draft.provider:
        changes["extras"] = {}  # a provider's own options do not carry over to another provider
    draft.save_draft_fields(changes)
    messages.success(request, f"The composer now uses {draft.model_label}.")
    return redirect("compose")
