"""Provider callbacks, as the worker asks for them and the webhook view receives them.

Each job gets its own callback URL, `/webhooks/<provider>/<token>/`: the token is random and only its hash is
kept on the job (seedance_studio.tokens), so the URL names the job without the database giving it away. PiAPI
and GoAPI also echo a secret back in `x-webhook-secret`: the account's, or one derived for the job.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

from seedance_studio.provider_api import ProviderClient
from seedance_studio.studio.availability import provider_reaches_studio
from seedance_studio.studio.models import Job


def callback_secret(job: Job) -> str:
    """PiAPI/GoAPI echo this in `x-webhook-secret`: the account's secret if set, else one per job."""
    config = settings.PROVIDERS.get(job.provider)
    if config is not None and config.webhook_secret:
        return config.webhook_secret
    return hmac.new(settings.SECRET_KEY.encode(), f"webhook:{job.public_id}".encode(), hashlib.sha256).hexdigest()


def callback_url(job: Job, client: ProviderClient, token: str) -> str | None:
    """The job's callback URL for `token`, or None when the provider could not call it (then polling alone
    follows the task): the studio is not reachable from the provider, or the provider refuses the URL (its wire
    module's `accepts_callback`: EvoLink and HiAPI want https)."""
    if not provider_reaches_studio(client.config):
        return None
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("provider_callback", args=[job.provider, token])
    return url if client.accepts_callback(url) else None
