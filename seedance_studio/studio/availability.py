"""Which providers this studio can submit to right now, and if not, why (in words an admin can act on)."""

from __future__ import annotations

from django.conf import settings

from seedance_studio import seedance


def provider_unavailable_reason(provider_id: str) -> str | None:
    try:
        provider = seedance.get_provider(provider_id)
    except KeyError:
        return f"{provider_id!r} is not a provider this studio knows."
    if not provider.is_remote:
        return None
    config = settings.PROVIDERS.get(provider_id)
    if config is None or not config.api_key:
        return (f"{provider.display_name} is not set up in this studio yet: an admin must set "
                f"{provider_id.upper()}_API_KEY. You can still compose and see the price; the local preview "
                "works without a key.")
    return None
