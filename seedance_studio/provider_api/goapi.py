"""GoAPI's wire format (shared/seeds/001_972d478171c6ac8f.txt), the Unified API schema it shares with PiAPI.

GoAPI's documents match PiAPI's page for page (same task schema, same webhook), so the studio assumes the
same result storage, `theapi.app` (configurable: the document shows no result URL). Provider-side files are
deleted after a while (seeds/README.md), so results are mirrored at once.
"""

from __future__ import annotations

from typing import Any

from . import _unified
from .types import CallbackHint, ProviderConfig, TaskStatus, WireRequest

PROVIDER = "goapi"
DISPLAY_NAME = "GoAPI"
DEFAULT_BASE_URL = "https://api.goapi.ai"
# `data.meta.usage` counts in points (001:487-491), the same points as PiAPI's: 1 USD = `_unified.POINTS_PER_USD`.
COST_UNIT = "GOAPI_POINTS"
# "Flagged content will be rejected after a short delay. Repeated violations incur progressive credit penalties."
# (001:344-346). Said in a moderation failure's text and, before a moderated recipe is sent again, in the panel.
MODERATION_PENALTY = "GoAPI says repeated moderation violations incur progressive credit penalties"


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
