"""The request type views see: Django's, plus django-htmx's `request.htmx` details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHtmxHttpRequest(HtmxHttpRequest):
    """The request a `@login_required` view sees: `request.user` is a real user, never `AnonymousUser`."""

    user: User
