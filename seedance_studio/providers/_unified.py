"""PiAPI's and GoAPI's shared "Unified API" wire format (same company, same schema, different hosts).

Create: `POST /api/v1/task` with the core's body plus `config.webhook_config`; answer
`{"code": 200, "data": {"task_id": ..., "status": "pending", ...}, "message": "success"}` (000:601-646).
Status: `GET /api/v1/task/{task_id}`, the same envelope; `data.status` is pending / staged / processing /
completed / failed and a finished task's video is `data.output.video` (seeds/README.md).
Callbacks: `POST {"timestamp": <unix>, "data": <the task as GET returns it>}`, with the `secret` from
`webhook_config` echoed in `x-webhook-secret` (seeds/README.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..seedance import attach_callback
from . import _common as c
from .errors import CallbackRejected
from .types import CallbackHint, Output, ProviderConfig, TaskStatus, WireRequest

_QUEUED = {"pending", "staged", ""}  # "staged": accepted, waiting for a slot (PiAPI's status list)


def headers(config: ProviderConfig) -> dict[str, str]:
    return {"X-API-Key": config.api_key, **c.JSON_HEADERS}


def build_create(provider: str, body: dict, config: ProviderConfig, callback_url: str | None,
                 callback_secret: str | None) -> WireRequest:
    if callback_url:
        secret = config.webhook_secret if callback_secret is None else callback_secret
        body = attach_callback(provider, body, callback_url, secret)
    return WireRequest("POST", config.url("/api/v1/task"), headers(config), body)


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return WireRequest("GET", config.url(f"/api/v1/task/{quote(task_id, safe='')}"), headers(config))


def error_message(data: Any) -> str | None:
    data = c.as_dict(data)
    task = c.as_dict(data.get("data"))
    return c.text(data.get("message") if data.get("code") != 200 else None, task.get("error"), data.get("error"))


def parse_create(display: str, data: Any) -> str:
    return c.task_id(display, c.unwrap_envelope(display, data, error_message, creating=True).get("task_id"))


def parse_status(display: str, data: Any) -> TaskStatus:
    task = c.unwrap_envelope(display, data, error_message, creating=False)
    if not task:
        raise c.bad_answer(display, "a task")
    return task_status(display, task)


def task_status(display: str, task: dict) -> TaskStatus:
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
        message = c.text(error.get("message"), error.get("raw_message")) or f"{display} reported the task failed " \
                                                                            f"without a reason."
        moderated = c.looks_like_moderation(error.get("message"), error.get("raw_message"))
        return TaskStatus("failed", error=message, moderation=moderated)
    return TaskStatus("running")  # "processing", or a word added later: keep following it


def parse_callback(display: str, headers, raw_body: bytes, config: ProviderConfig) -> CallbackHint:
    trusted = False
    if config.webhook_secret:
        if not c.secrets_match(config.webhook_secret, c.header(headers, "x-webhook-secret")):
            raise CallbackRejected(f"The {display} callback's x-webhook-secret header does not match the secret "
                                   f"the studio set: ignoring it.")
        trusted = True
    body = c.as_dict(c.load_json(raw_body, display))
    task = c.as_dict(body.get("data"))
    task_id = task.get("task_id")
    if not task_id:
        raise CallbackRejected(f"The {display} callback names no task: ignoring it.")
    delivered = body.get("timestamp")
    return CallbackHint(str(task_id), task_status(display, task) if trusted else None, trusted,
                        float(delivered) if isinstance(delivered, int | float) else None)
