"""Which providers this studio can submit to right now, and if not, why (in words an admin can act on)."""

from __future__ import annotations

from django.conf import settings

from seedance_studio import seedance
from seedance_studio.provider_api import ENV_VARS, ProviderConfig, is_public_url


def provider_unavailable_reason(provider_id: str) -> str | None:
    try:
        provider = seedance.get_provider(provider_id)
    except KeyError:
        return f"{provider_id!r} is not a provider this studio knows."
    if not provider.is_remote:
        return None
    if settings.PROVIDERS.get(provider_id) is None:
        return (
            f"{provider.display_name} is not set up in this studio yet: an admin must set "
            f"{ENV_VARS[provider_id]['api_key']}. You can still compose and see the price; the local preview "
            "works without a key."
        )
    return None


def provider_reaches_studio(config: ProviderConfig) -> bool:
    """Whether the provider behind `config` can reach PUBLIC_BASE_URL (to fetch references, to call back): the
    studio is on the internet, or the provider is on this machine or network itself (the emulator)."""
    return is_public_url(settings.PUBLIC_BASE_URL) or not is_public_url(config.base_url)


def public_base_url_problem(provider_id: str) -> str | None:
    """Remote providers fetch references from PUBLIC_BASE_URL and call back there: say so when they cannot.

    Refused even for text-only jobs: without a reachable callback URL, a create whose answer is lost could never
    be matched to its task again.
    """
    config = settings.PROVIDERS.get(provider_id)
    if config is None or provider_reaches_studio(config):
        return None
    name = seedance.get_provider(provider_id).display_name
    return (
        f"{name} fetches your reference files from PUBLIC_BASE_URL ({settings.PUBLIC_BASE_URL}) and calls back "
        "there when the video is ready, but the internet cannot reach that address. An admin must set "
        "PUBLIC_BASE_URL to the studio's public https address. The local preview works without it."
    )


def submission_blocker(provider_id: str) -> str | None:
    """The first reason this studio cannot submit to the provider right now, if any."""
    return provider_unavailable_reason(provider_id) or public_base_url_problem(provider_id)
