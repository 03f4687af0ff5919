"""The owner's share and stop-sharing actions, and the public pages a viewer with the link sees.

Viewers have no account: their pages are rendered without the request (no context processors, so no session,
user or CSRF cookie is ever read or set), carry no forms, and tell search engines and other sites nothing.
"""

from __future__ import annotations

from functools import wraps
from typing import NamedTuple

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from seedance_studio.htmx import HtmxHttpRequest
from seedance_studio.references.serving import serve_stored_file
from seedance_studio.sharing.forms import ShareForm
from seedance_studio.sharing.models import NotShareable, ShareLink, public_url
from seedance_studio.studio.models import Job
from seedance_studio.studio.owned import own_job

# Shared caches may keep media this long after a link is stopped; pages themselves are never cached.
MEDIA_MAX_AGE = 300


# --- The owner ------------------------------------------------------------------------------------------------


def _panel(request: HtmxHttpRequest, job: Job, *, notice: str = "", error: str = ""):
    """HTMX: the share panel as it is now. Without JavaScript: back to the result page, with the message."""
    if not request.htmx:
        if notice:
            messages.success(request, notice)
        if error:
            messages.error(request, error)
        return redirect("job_detail", public_id=job.public_id)
    share = job.share_links.active().first()
    return render(request, "sharing/_share_panel.html", {"job": job, "share": share, "notice": notice, "error": error})


@login_required
@require_POST
@vary_on_headers("HX-Request")
def job_share(request: HtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _panel(
            request,
            job,
            error=" ".join(str(message) for message in form.errors.get("expires", ["This share form is not valid."])),
        )
    try:
        share = ShareLink.objects.share(
            job, show_prompt=form.cleaned_data["show_prompt"], expires_in_days=form.cleaned_data["expires"]
        )
    except NotShareable as refusal:
        return _panel(request, job, error=refusal.message)
    prompt = "and read its prompt" if share.show_prompt else "(its prompt stays private)"
    return _panel(request, job, notice=f"Shared: anyone with the link can watch this video {prompt}.")


@login_required
@require_POST
@vary_on_headers("HX-Request")
def job_share_revoke(request: HtmxHttpRequest, public_id):
    job = own_job(request, public_id)
    stopped = [share.revoke() for share in job.share_links.active()]
    if not any(stopped):
        return _panel(request, job, error="This video was not being shared.")
    return _panel(request, job, notice="Sharing stopped: the link now says it was stopped. Share again for a new link.")


# --- Viewers --------------------------------------------------------------------------------------------------


def for_viewers(view):
    """Headers every public share response carries, the "stopped" page included: no search engine lists it, and
    no page a viewer goes on to learns the link (the token is in the URL)."""

    @wraps(view)
    def with_viewer_headers(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return with_viewer_headers


class SharedUrls(NamedTuple):
    """Absolute, for link previews: chat apps and social sites fetch them from their own servers."""

    page: str
    embed: str
    video: str
    poster: str

    @classmethod
    def of(cls, token: str) -> SharedUrls:
        return cls(*(public_url(name, token) for name in ("share_page", "share_embed", "share_video", "share_poster")))


def _stopped() -> HttpResponse:
    # One page for every reason (unknown, stopped, expired, deleted): a link must not reveal that it once worked.
    return HttpResponse(render_to_string("sharing/stopped.html"), status=404)


def _viewer_page(request: HttpRequest, token: str, template_name: str) -> HttpResponse:
    share = ShareLink.objects.find(token)
    if share is None:
        return _stopped()
    if request.method == "GET":  # HEAD is a link checker, not a person
        share.count_view(request.headers.get("User-Agent", ""))
    return HttpResponse(
        render_to_string(
            template_name, {"share": share, "job": share.job, "token": token, "urls": SharedUrls.of(token)}
        )
    )


@for_viewers
@require_safe
@never_cache
def share_page(request: HttpRequest, token: str):
    return _viewer_page(request, token, "sharing/share_page.html")


@for_viewers
@require_safe
@never_cache
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]  # django-csp types a view as (request) only
def share_embed(request: HttpRequest, token: str):
    """The player alone, for other sites' iframes (the Twitter/X player card): any site may frame it. The rest
    of the studio's Content-Security-Policy still holds; a stopped link says so inside the frame too."""
    return _viewer_page(request, token, "sharing/embed.html")


def _shared_file(
    request: HttpRequest, token: str, field: str, content_type: str, *, download: bool = False
) -> HttpResponse:
    share = ShareLink.objects.find(token)
    if share is None or not getattr(share.job, field):
        return _stopped()
    response = serve_stored_file(
        request, getattr(share.job, field), content_type, download_name=share.download_name if download else None
    )
    # A redirect to a presigned URL is cached no longer than half the URL's life.
    max_age = (
        MEDIA_MAX_AGE if response.status_code != 302 else min(MEDIA_MAX_AGE, settings.STORAGE_URL_EXPIRY_SECONDS // 2)
    )
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@for_viewers
@require_safe
def share_video(request: HttpRequest, token: str):
    return _shared_file(request, token, "video", "video/mp4")


@for_viewers
@require_safe
def share_poster(request: HttpRequest, token: str):
    return _shared_file(request, token, "poster", "image/jpeg")


@for_viewers
@require_safe
def share_download(request: HttpRequest, token: str):
    """The video as a file to keep, under a name a person would keep (the player's URL stays inline)."""
    return _shared_file(request, token, "video", "video/mp4", download=True)
