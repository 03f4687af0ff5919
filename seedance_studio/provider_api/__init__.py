"""Talking to the Seedance providers: wire formats, one HTTP layer, safe result downloads. No Django here.

    from seedance_studio.provider_api import client_for, make_config
    client = client_for("piapi", make_config("piapi", api_key=..., webhook_secret=...))
    client.accepts_callback(url)               # False: ask for no callback (EvoLink and HiAPI want https)
    task_id = client.create(evaluation.request_body, callback_url=url, callback_secret=...)
    status = client.status(task_id)            # TaskStatus(state, progress, eta_seconds, outputs, error, moderation,
                                               #            reported_cost)
    balance = client.account_balance()         # AccountBalance(amount, unit, raw), or None if undocumented
    hint = client.callback(request.headers, request.body)
    client.download(status.video, path)

Configuration comes in as values (`ProviderConfig`); `ENV_VARS` names the variables settings reads them from.
"""

from __future__ import annotations

from types import ModuleType

from . import evolink, goapi, hiapi, piapi, seedance2
from .addresses import is_public_url
from .client import ProviderClient
from .download import Downloaded, DownloadPolicy, download
from .errors import CallbackRejected, OutcomeUnknown, ProviderError, ResultLinkExpired, UnsafeResultLink
from .http import Http, RetryPolicy
from .types import AccountBalance, CallbackHint, Output, ProviderConfig, ReportedCost, TaskStatus, WireRequest

WIRES: dict[str, ModuleType] = {w.PROVIDER: w for w in (piapi, goapi, seedance2, hiapi, evolink)}

# Settings reads these; RESULT_HOSTS is an optional comma-separated allow-list that narrows result downloads
# (by default any public https host: no provider document names its file hosts).
ENV_VARS = {
    "piapi": {
        "api_key": "PIAPI_API_KEY",
        "base_url": "PIAPI_BASE_URL",
        "webhook_secret": "PIAPI_WEBHOOK_SECRET",
        "allowed_result_hosts": "PIAPI_RESULT_HOSTS",
    },
    "goapi": {
        "api_key": "GOAPI_API_KEY",
        "base_url": "GOAPI_BASE_URL",
        "webhook_secret": "GOAPI_WEBHOOK_SECRET",
        "allowed_result_hosts": "GOAPI_RESULT_HOSTS",
    },
    "seedance2": {
        "api_key": "SEEDANCE2_API_KEY",
        "base_url": "SEEDANCE2_BASE_URL",
        "allowed_result_hosts": "SEEDANCE2_RESULT_HOSTS",
    },
    "hiapi": {
        "api_key": "HIAPI_API_KEY",
        "base_url": "HIAPI_BASE_URL",
        "signing_key": "HIAPI_SIGNING_KEY",
        "allowed_result_hosts": "HIAPI_RESULT_HOSTS",
    },
    "evolink": {
        "api_key": "EVOLINK_API_KEY",
        "base_url": "EVOLINK_BASE_URL",
        "allowed_result_hosts": "EVOLINK_RESULT_HOSTS",
    },
}


def wire(provider: str) -> ModuleType:
    try:
        return WIRES[provider]
    except KeyError:
        raise KeyError(f"{provider!r} is not a remote provider: choose {', '.join(WIRES)}.") from None


def make_config(
    provider: str,
    api_key: str,
    *,
    base_url: str | None = None,
    webhook_secret: str = "",
    signing_key: str = "",
    allowed_result_hosts: tuple[str, ...] | list[str] | None = None,
    emulated: bool = False,
) -> ProviderConfig:
    """A config with the provider's documented base URL filled in. `allowed_result_hosts` narrows where results
    may be downloaded from; None or empty: any public host (download.py says why that is safe)."""
    module = wire(provider)
    hosts = tuple(allowed_result_hosts or ())
    return ProviderConfig(
        api_key=api_key,
        base_url=(base_url or module.DEFAULT_BASE_URL).rstrip("/"),
        webhook_secret=webhook_secret,
        signing_key=signing_key,
        allowed_result_hosts=hosts,
        emulated=emulated,
    )


def client_for(provider: str, config: ProviderConfig, **kwargs) -> ProviderClient:
    return ProviderClient(wire(provider), config, **kwargs)


__all__ = [
    "ENV_VARS",
    "WIRES",
    "AccountBalance",
    "CallbackHint",
    "CallbackRejected",
    "DownloadPolicy",
    "Downloaded",
    "Http",
    "OutcomeUnknown",
    "Output",
    "ProviderClient",
    "ProviderConfig",
    "ProviderError",
    "ReportedCost",
    "ResultLinkExpired",
    "RetryPolicy",
    "TaskStatus",
    "UnsafeResultLink",
    "WireRequest",
    "client_for",
    "download",
    "is_public_url",
    "make_config",
    "wire",
]
