"""EvoLink's wire format (shared/seeds/004_8f7010333526f07b.txt and the facts in seeds/README.md).

Create: `POST /v1/videos/generations` -> `{created, id: "task-unified-…", model, object, progress,
status: "pending", task_info: {can_cancel, estimated_time, video_duration}, type, usage}`. Status:
`GET /v1/tasks/{id}`, the same object; `completed` carries `results` (URL strings, valid 24 hours).
Callbacks: a top-level `callback_url` in the create body, HTTPS, at most 2048 characters (004:70-73); they
are not signed: a hint to re-read, never believed.

Decisions where the documents are silent:
- Statuses pending / processing / completed / failed, plus `cancelled` (EvoLink's task lifecycle) as a
  failure; a failed task's `error: {code, message}` with `content_policy_violation` as moderation
  (EvoLink's error-code reference).
- HTTP errors are read OpenAI-style, `{"error": {"code", "message", "type"}}`, or a top-level `message`.
- `eta_seconds` is `task_info.estimated_time` as given (EvoLink's own estimate, in seconds).
- A result whose URL ends in .jpg/.jpeg/.png/.webp is an image; everything else a video.
- Result links: no example in the document; the default allow-list is EvoLink's own domain, `evolink.ai`.
- Cost: the task's `usage` ("Usage and billing information", 004:91) is `{billing_rule, credits_reserved,
  user_group}` (seeds/README.md); `credits_reserved` is the only figure it names, so a completed task reports
  it as its cost. A failed one reports none: nothing documents what a failure is charged.
- No balance endpoint is documented (004 names none), so `ProviderClient.account_balance()` answers None.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from . import _common as c
from .errors import CallbackRejected
from .types import CallbackHint, Output, OutputKind, ProviderConfig, ReportedCost, State, TaskStatus, WireRequest

PROVIDER = "evolink"
DISPLAY_NAME = "EvoLink"
DEFAULT_BASE_URL = "https://api.evolink.ai"
# `usage.credits_reserved` counts EvoLink's own credits; no document gives a credit's price (EvoLink's prices
# are not in 004, seeds/README.md), so the ledger needs a configured rate to compare it with a USD quote.
COST_UNIT = "EVOLINK_CREDITS"
CALLBACK_SCHEMES = ("https",)  # 004:72
CALLBACK_MAX_LENGTH = 2048  # 004:73

_STATES: dict[str, State] = {
    "pending": "queued",
    "processing": "running",
    "completed": "succeeded",
    "failed": "failed",
    "cancelled": "failed",
    "canceled": "failed",
}
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def accepts_callback(url: str) -> bool:
    """https, at most 2048 characters (004:70-73). For any other URL the worker asks for no callback and
    follows the task by polling alone."""
    return c.callback_url_fits(url, CALLBACK_SCHEMES, CALLBACK_MAX_LENGTH)


def build_create(
    body: dict, config: ProviderConfig, callback_url: str | None = None, callback_secret: str | None = None
) -> WireRequest:
    """`callback_secret` is ignored: EvoLink has no way to carry one. Raises ValueError for a callback URL
    `accepts_callback` refuses."""
    if callback_url:
        if not accepts_callback(callback_url):
            raise ValueError("EvoLink needs an https:// callback URL of at most 2048 characters (004:70-73)")
        body = {**body, "callback_url": callback_url}
    return WireRequest("POST", config.url("/v1/videos/generations"), c.bearer(config.api_key), body)


def parse_create(data: Any) -> str:
    return c.task_id(DISPLAY_NAME, c.as_dict(data).get("id"), error_message(data))


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return WireRequest("GET", config.url(f"/v1/tasks/{quote(task_id, safe='')}"), c.bearer(config.api_key))


def parse_status(data: Any) -> TaskStatus:
    task = c.as_dict(data)
    if "status" not in task:
        raise c.bad_answer(DISPLAY_NAME, "a status")
    return c.charged(_state(task), reported_cost(task))


def reported_cost(task: dict) -> ReportedCost | None:
    """`usage.credits_reserved` of a completed task; None before, and for a failed or cancelled one."""
    if str(task.get("status")).lower() != "completed":
        return None
    usage = c.as_dict(task.get("usage"))
    return c.reported_cost(usage.get("credits_reserved"), COST_UNIT, usage)


def _state(task: dict) -> TaskStatus:
    status = str(task["status"]).lower()
    state = _STATES.get(status, "running")
    info = c.as_dict(task.get("task_info"))
    if state == "succeeded":
        outputs = tuple(Output(url, _kind(url)) for url in task.get("results") or () if isinstance(url, str) and url)
        if not any(o.kind == "video" for o in outputs):
            return TaskStatus("failed", error=f"{DISPLAY_NAME} reported the task completed but gave no video link.")
        return TaskStatus("succeeded", progress=1.0, outputs=outputs)
    if state == "failed":
        error = c.as_dict(task.get("error"))
        if status.startswith("cancel"):
            return TaskStatus("failed", error=f"The task was cancelled at {DISPLAY_NAME}.")
        message = (
            c.text(error.get("message"), task.get("error"))
            or f"{DISPLAY_NAME} reported the task failed without a reason."
        )
        moderated = error.get("code") == "content_policy_violation" or c.looks_like_moderation(message)
        return TaskStatus("failed", error=message, moderation=moderated)
    progress = c.fraction(task.get("progress")) if state == "running" else None
    return TaskStatus(state, progress=progress, eta_seconds=c.seconds(info.get("estimated_time")))


def parse_callback(headers, raw_body: bytes, config: ProviderConfig, *, now: float | None = None) -> CallbackHint:
    """Never trusted: EvoLink does not sign callbacks. Only the task id is taken from it."""
    task_id = c.as_dict(c.load_json(raw_body, DISPLAY_NAME)).get("id")
    if not task_id:
        raise CallbackRejected(f"The {DISPLAY_NAME} callback names no task: ignoring it.")
    return CallbackHint(str(task_id), None, False)


def error_message(data: Any) -> str | None:
    data = c.as_dict(data)
    return c.text(data.get("error"), data.get("message"))


def _kind(url: str) -> OutputKind:
    return "image" if urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES) else "video"
