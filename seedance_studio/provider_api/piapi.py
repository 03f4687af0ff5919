"""PiAPI's wire format (shared/seeds/000_9ea3d46214601d5a.txt), the Unified API schema it shares with GoAPI.

Result links are PiAPI's own storage, `https://img.theapi.app/ephemeral/<uuid>.mp4` in its public task
examples; "provider-side files are deleted after a while" (seeds/README.md), so they are mirrored at once.
"""

from __future__ import annotations

from typing import Any

from . import _unified
from .types import CallbackHint, ProviderConfig, TaskStatus, WireRequest

PROVIDER = "piapi"
DISPLAY_NAME = "PiAPI"
DEFAULT_BASE_URL = "https://api.piapi.ai"
# `data.meta.usage` counts in points (000:577-581); 1 USD = `POINTS_PER_USD` points (see _unified.py).
COST_UNIT = "PIAPI_POINTS"
POINTS_PER_USD = _unified.POINTS_PER_USD


def accepts_callback(url: str) -> bool:
    """Any http or https URL: the document puts no condition on `webhook_config.endpoint`."""
    return _unified.accepts_callback(url)


def build_create(
    body: dict, config: ProviderConfig, callback_url: str | None = None, callback_secret: str | None = None
) -> WireRequest:
    """`callback_secret` None: the account-wide `config.webhook_secret` goes into `webhook_config`. Raises
    ValueError for a callback URL `accepts_callback` refuses."""
    return _unified.build_create(DISPLAY_NAME, body, config, callback_url, callback_secret)


def parse_create(data: Any) -> str:
    return _unified.parse_create(DISPLAY_NAME, data)


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return _unified.build_status(task_id, config)


def parse_status(data: Any) -> TaskStatus:
    return _unified.parse_status(DISPLAY_NAME, COST_UNIT, data)


def parse_callback(headers, raw_body: bytes, config: ProviderConfig, *, now: float | None = None) -> CallbackHint:
    """Trusted when `x-webhook-secret` matches `config.webhook_secret`; raises CallbackRejected when it does
    not; untrusted (task id only) when no secret is configured."""
    return _unified.parse_callback(DISPLAY_NAME, COST_UNIT, headers, raw_body, config)


def error_message(data: Any) -> str | None:
    return _unified.error_message(data)
