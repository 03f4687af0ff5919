"""Two results side by side (takes, or any two of the creative's jobs): played in sync, their recipes' difference
beside them, and a favourite to mark.

  GET  /jobs/compare/?a=<id>&b=<id>   the A/B page (both jobs must be the creative's own: 404 otherwise)
  POST /jobs/<id>/favourite/          favourite-button: the job's toggle, marked or not (no JS: back to `next`)
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.seedance.takes import takes_a_seed
from seedance_studio.studio.models import Job
from seedance_studio.studio.owned import own_job
from seedance_studio.studio.recipes import recipe_difference


class PairForm(forms.Form):
    a = forms.UUIDField()
    b = forms.UUIDField()


@login_required
@require_GET
def ab_compare(request: AuthenticatedHtmxHttpRequest):
    pair = PairForm(request.GET)
    if not pair.is_valid():
        raise Http404("Compare needs two of your jobs: /jobs/compare/?a=<job id>&b=<job id>.")
    a, b = own_job(request, pair.cleaned_data["a"]), own_job(request, pair.cleaned_data["b"])
    group = []
    if a.take_group is not None:
        group = list(
            Job.objects.filter(owner=request.user, take_group=a.take_group)
            .order_by("take_number")
            .values_list("public_id", "take_number")
        )
    return render(
        request,
        "studio/ab_compare.html",
        {
            "a": a,
            "b": b,
            "rows": recipe_difference(a.composition, b.composition),
            # The same recipe gives the same video only where the provider takes a seed and the recipe sets one.
            "differ_by_chance": not takes_a_seed(a.provider) or a.composition.seed is None,
            "group": group,
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def job_favourite(request: AuthenticatedHtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    favourite = request.POST.get("favourite") == "on"
    previous = None
    if favourite and job.take_group is not None:
        previous = Job.objects.filter(take_group=job.take_group, favourite=True).exclude(pk=job.pk).first()
    job.mark_favourite(favourite)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if not request.htmx:
        return redirect(target) if target else redirect("job_detail", public_id=job.public_id)
    if previous is not None:
        previous.favourite = False
    return render(
        request, "studio/ab_compare.html#favourite-response", {"job": job, "previous": previous, "here": target}
    )
