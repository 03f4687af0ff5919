"""PiAPI's and GoAPI's shared "Unified API" wire format (same company, same schema, different hosts).

Create: `POST /api/v1/task` with the core's body plus `config.webhook_config`; answer
`{"code": 200, "data": {"task_id": ..., "status": "pending", ...}, "message": "success"}` (000:552-594).
Status: `GET /api/v1/task/{task_id}`, the same envelope; `data.status` is pending / staged / processing /
completed / failed and a finished task's video is `data.output.video` (seeds/README.md). What the task
cost is `data.meta.usage` (000:577-581, 001:487-491), see `reported_cost`.
Callbacks: asked for with `config.webhook_config: {endpoint, secret}` in the create body (000:494-499,
001:404-409), which puts no condition on the endpoint (http or https); they `POST {"timestamp": <unix>,
"data": <the task as GET returns it>}`, with the `secret` echoed in `x-webhook-secret` (seeds/README.md).
Neither document describes a balance endpoint ("Account Info" is only a navigation entry, 000:187,
001:184), so the wire modules define none and `ProviderClient.account_balance()` answers None.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from . import _common as c
from .errors import CallbackRejected
from .types import CallbackHint, Output, ProviderConfig, ReportedCost, TaskStatus, WireRequest

_QUEUED = {"pending", "staged", ""}  # "staged": accepted, waiting for a slot (PiAPI's status list)
# A failure `message` made only of these words says nothing a creative can act on (see failure_reason).
_GENERIC_WORDS = frozenset(
    {
        "task",
        "generation",
        "video",
        "request",
        "job",
        "the",
        "has",
        "was",
        "is",
        "failed",
        "fail",
        "failure",
        "error",
        "unknown",
        "internal",
        "server",
    }
)
_WORDS = re.compile(r"[a-z]+")
CALLBACK_SCHEMES = ("https", "http")

# A usage figure is in points: `meta.usage` is `{"type": "point", "frozen": 4000000, "consume": 0}`
# (000:577-581, 001:487-491). Neither document says what a point is worth; their one example pins it: the
# task shown is seedance-2-fast, 5 s, no resolution (480p, the formal models' default, 000:278), priced
# 5 x $0.08 = $0.40 (000:286; GoAPI 001:273), and it freezes 4,000,000 points. So 1 USD = 10,000,000 points:
# inferred from that example, not stated. Reports stay in points; this is for a ledger comparing them with a
# USD quote.
POINT_USAGE = "point"
POINTS_PER_USD = Decimal(10_000_000)


def headers(config: ProviderConfig) -> dict[str, str]:
    return {"X-API-Key": config.api_key, **c.JSON_HEADERS}


def accepts_callback(url: str) -> bool:
    return c.callback_url_fits(url, CALLBACK_SCHEMES)


def build_create(
    display: str, body: dict, config: ProviderConfig, callback_url: str | None, callback_secret: str | None
) -> WireRequest:
    if callback_url:
        if not accepts_callback(callback_url):
            raise ValueError(f"{display} needs an http:// or https:// webhook endpoint")
        secret = config.webhook_secret if callback_secret is None else callback_secret
        body = {**body, "config": {"webhook_config": {"endpoint": callback_url, "secret": secret}}}
    return WireRequest("POST", config.url("/api/v1/task"), headers(config), body)


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return WireRequest("GET", config.url(f"/api/v1/task/{quote(task_id, safe='')}"), headers(config))


def error_message(data: Any) -> str | None:
    data = c.as_dict(data)
    task = c.as_dict(data.get("data"))
    return c.text(data.get("message") if data.get("code") != 200 else None, task.get("error"), data.get("error"))


def parse_create(display: str, data: Any) -> str:
    return c.task_id(display, c.unwrap_envelope(display, data, error_message, creating=True).get("task_id"))


def parse_status(display: str, cost_unit: str, data: Any) -> TaskStatus:
    task = c.unwrap_envelope(display, data, error_message, creating=False)
    if not task:
        raise c.bad_answer(display, "a task")
    return task_status(display, cost_unit, task)


def task_status(display: str, cost_unit: str, task: dict) -> TaskStatus:
    return c.charged(_state(display, task), reported_cost(task, cost_unit))


def reported_cost(task: dict, cost_unit: str) -> ReportedCost | None:
    """`meta.usage.consume`, the points charged (`frozen` is the hold while the task runs, 000:579-580).
    A usage `type` other than "point" is a unit the documents never show: not guessed, None."""
    usage = c.as_dict(c.as_dict(task.get("meta")).get("usage"))
    if usage.get("type") != POINT_USAGE:
        return None
    return c.reported_cost(usage.get("consume"), cost_unit, usage)


def _state(display: str, task: dict) -> TaskStatus:
    status = str(task.get("status") or "").lower()
    if status in _QUEUED:
        return TaskStatus("queued")
    if status == "completed":
        output = c.as_dict(task.get("output"))
        video = output.get("video")
        url = video.get("url") if isinstance(video, dict) else video
        if not isinstance(url, str) or not url:
            return TaskStatus("failed", error=f"{display} reported the task completed but gave no video link.")
        return TaskStatus("succeeded", progress=1.0, outputs=(Output(url, "video"),))
    if status == "failed":
        error = c.as_dict(task.get("error"))
        message = failure_reason(error) or f"{display} reported the task failed without a reason."
        moderated = c.looks_like_moderation(error.get("message"), error.get("raw_message"))
        return TaskStatus("failed", error=message, moderation=moderated)
    return TaskStatus("running")  # "processing", or a word added later: keep following it


def failure_reason(error: dict) -> str | None:
    """The words to show for a failed task's `error: {code, raw_message, message, detail}` (000:586-591,
    001:496-501): `message`, unless it is only a generic "task failed", when `raw_message` carries the reason
    the creative needs ("content moderation failed")."""
    message, raw = c.text(error.get("message")), c.text(error.get("raw_message"))
    if raw and (message is None or _is_generic(message)):
        return raw
    return message or raw


def _is_generic(message: str) -> bool:
    """Says that it failed and nothing about why: "task failed", "Generation failed.", "internal error"."""
    words = _WORDS.findall(message.lower())
    return bool(words) and set(words) <= _GENERIC_WORDS


def parse_callback(display: str, cost_unit: str, headers, raw_body: bytes, config: ProviderConfig) -> CallbackHint:
    trusted = False
    if config.webhook_secret:
        if not c.secrets_match(config.webhook_secret, c.header(headers, "x-webhook-secret")):
            raise CallbackRejected(
                f"The {display} callback's x-webhook-secret header does not match the secret "
                f"the studio set: ignoring it."
            )
        trusted = True
    body = c.as_dict(c.load_json(raw_body, display))
    task = c.as_dict(body.get("data"))
    task_id = task.get("task_id")
    if not task_id:
        raise CallbackRejected(f"The {display} callback names no task: ignoring it.")
    delivered = body.get("timestamp")
    return CallbackHint(
        str(task_id),
        task_status(display, cost_unit, task) if trusted else None,
        trusted,
        float(delivered) if isinstance(delivered, int | float) else None,
    )
