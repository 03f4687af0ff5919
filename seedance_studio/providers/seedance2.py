"""Seedance2 API's wire format (shared/seeds/002_f203a5308ec3fedc.txt).

Create: `POST /api/v1/jobs/createTask` -> `{"taskId": ...}` (002:181-183). Status:
`GET /api/v1/jobs/queryTask?taskId=` -> `{taskId, model, status: PENDING|PROCESSING|COMPLETED|FAILED,
creditsUsed, output: [{url, width, height}] | null, error, createTime, completeTime}` (002:184-203).
Callbacks POST the queryTask shape to `callBackUrl` and are not signed: a hint to re-read, never believed.

Decisions where the document is silent:
- The base URL is the origin (`https://seedance2-ai.ai`), like every other provider here; the document's
  "Base URL" includes `/api/v1`, which the paths below carry.
- Errors are read from `message` (the document's own client code reads `err.message`, 002:238).
- Result links are on `static.seedance2-pro.com` in the document's examples (002:171), so that domain (and
  the API's own) is the default allow-list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..seedance import attach_callback
from . import _common as c
from .errors import CallbackRejected
from .types import CallbackHint, Output, ProviderConfig, TaskStatus, WireRequest

PROVIDER = "seedance2"
DISPLAY_NAME = "Seedance2 API"
DEFAULT_BASE_URL = "https://seedance2-ai.ai"
DEFAULT_RESULT_HOSTS = ("seedance2-pro.com", "seedance2-ai.ai")

_STATES = {"PENDING": "queued", "PROCESSING": "running", "COMPLETED": "succeeded", "FAILED": "failed"}


def build_create(body: dict, config: ProviderConfig, callback_url: str | None = None,
                 callback_secret: str | None = None) -> WireRequest:
    """`callback_secret` is ignored: the Seedance2 API has no way to carry one."""
    if callback_url:
        body = attach_callback(PROVIDER, body, callback_url)
    return WireRequest("POST", config.url("/api/v1/jobs/createTask"), c.bearer(config.api_key), body)


def parse_create(data: Any) -> str:
    return c.task_id(DISPLAY_NAME, c.as_dict(data).get("taskId"), error_message(data))


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return WireRequest("GET", config.url(f"/api/v1/jobs/queryTask?taskId={quote(task_id, safe='')}"),
                       c.bearer(config.api_key))


def parse_status(data: Any) -> TaskStatus:
    task = c.as_dict(data)
    if "status" not in task:
        raise c.bad_answer(DISPLAY_NAME, "a status")
    state = _STATES.get(str(task["status"]).upper(), "running")
    if state == "succeeded":
        outputs = tuple(Output(item["url"], "video") for item in task.get("output") or ()
                        if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"])
        if not outputs:
            return TaskStatus("failed", error=f"{DISPLAY_NAME} reported the task completed but gave no video link.")
        return TaskStatus("succeeded", progress=1.0, outputs=outputs)
    if state == "failed":
        message = c.text(task.get("error")) or f"{DISPLAY_NAME} reported the task failed without a reason."
        return TaskStatus("failed", error=message, moderation=c.looks_like_moderation(message))
    return TaskStatus(state)


def parse_callback(headers, raw_body: bytes, config: ProviderConfig, *, now: float | None = None) -> CallbackHint:
    """Never trusted: the Seedance2 API does not sign callbacks. Only the task id is taken from it."""
    task_id = c.as_dict(c.load_json(raw_body, DISPLAY_NAME)).get("taskId")
    if not task_id:
        raise CallbackRejected(f"The {DISPLAY_NAME} callback names no task: ignoring it.")
    return CallbackHint(str(task_id), None, False)


def error_message(data: Any) -> str | None:
    data = c.as_dict(data)
    return c.text(data.get("message"), data.get("error"))
