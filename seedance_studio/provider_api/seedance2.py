"""Seedance2 API's wire format (shared/seeds/002_f203a5308ec3fedc.txt).

Create: `POST /api/v1/jobs/createTask` -> `{"taskId": ...}` (002:194-196). Status:
`GET /api/v1/jobs/queryTask?taskId=` -> `{taskId, model, status: PENDING|PROCESSING|COMPLETED|FAILED,
creditsUsed, output: [{url, width, height}] | null, error, createTime, completeTime}` (002:196-212).
Callbacks: a top-level `callBackUrl` in the create body (002:151, 002:168), no condition on it (http or
https); they POST the queryTask shape there (002:174-192) and are not signed: a hint to re-read, never
believed. Balance: `GET /api/v1/account/credits` -> `{"credits": 5000, "availableCredits": 4800}`
(002:41, 002:160, 002:212-216), the same Bearer auth (002:8-10).

Decisions where the document is silent:
- The base URL is the origin (`https://seedance2-ai.ai`), like every other provider here; the document's
  "Base URL" includes `/api/v1`, which the paths below carry.
- Errors are read from `message` (the document's own client code reads `err.message`, 002:252).
- Result links are on `static.seedance2-pro.com` in the document's examples (002:184, 002:204), so that
  domain (and the API's own) is the default allow-list.
- `creditsUsed` is taken as the charge of any finished task, COMPLETED or FAILED: the queryTask answer
  carries it beside `status` whatever the status (002:200-201), and a refunded failure reports what the
  provider says (the emulator: 0). While the task runs nothing is reported.
- The balance is `availableCredits`, what can be spent now: the document's own client reads that one
  before creating a task (002:273-274). `credits`, the larger figure, stays in `raw`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..seedance.pricing import SEEDANCE2_CREDITS
from . import _common as c
from .errors import CallbackRejected, ProviderError
from .types import AccountBalance, CallbackHint, Output, ProviderConfig, ReportedCost, State, TaskStatus, WireRequest

PROVIDER = "seedance2"
DISPLAY_NAME = "Seedance2 API"
DEFAULT_BASE_URL = "https://seedance2-ai.ai"
# `creditsUsed` and the balance count the API's own credits: "API usage consumes the same credits as the web
# interface" (002:153), 40 per output second for seedance2 (002:156). The studio quotes this provider in the
# same unit (seedance.pricing), so the unit's code is shared and a report compares with a quote as it is.
COST_UNIT = SEEDANCE2_CREDITS

# Create statuses that mean "nothing was created, try again": 500, "Internal server error | Retry after a few
# seconds" (002:225). Any other 5xx on a create, or no answer at all, may hide a task: confirmed, never resent.
CREATE_RETRY_STATUSES = frozenset({500})

CALLBACK_SCHEMES = ("https", "http")

_STATES: dict[str, State] = {"PENDING": "queued", "PROCESSING": "running", "COMPLETED": "succeeded", "FAILED": "failed"}


def accepts_callback(url: str) -> bool:
    return c.callback_url_fits(url, CALLBACK_SCHEMES)


def build_create(
    body: dict, config: ProviderConfig, callback_url: str | None = None, callback_secret: str | None = None
) -> WireRequest:
    """`callback_secret` is ignored: the Seedance2 API has no way to carry one. Raises ValueError for a
    callback URL `accepts_callback` refuses."""
    if callback_url:
        if not accepts_callback(callback_url):
            raise ValueError(f"{DISPLAY_NAME} needs an http:// or https:// callBackUrl")
        body = {**body, "callBackUrl": callback_url}
    return WireRequest("POST", config.url("/api/v1/jobs/createTask"), c.bearer(config.api_key), body)


def parse_create(data: Any) -> str:
    return c.task_id(DISPLAY_NAME, c.as_dict(data).get("taskId"), error_message(data))


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return WireRequest(
        "GET", config.url(f"/api/v1/jobs/queryTask?taskId={quote(task_id, safe='')}"), c.bearer(config.api_key)
    )


def parse_status(data: Any) -> TaskStatus:
    task = c.as_dict(data)
    if "status" not in task:
        raise c.bad_answer(DISPLAY_NAME, "a status")
    return c.charged(_state(task), reported_cost(task))


def reported_cost(task: dict) -> ReportedCost | None:
    """`creditsUsed` (002:181, 002:201); the provider has no usage object, so `raw` holds just that field."""
    return c.reported_cost(task.get("creditsUsed"), COST_UNIT, {"creditsUsed": task.get("creditsUsed")})


def _state(task: dict) -> TaskStatus:
    state = _STATES.get(str(task["status"]).upper(), "running")
    if state == "succeeded":
        outputs = tuple(
            Output(item["url"], "video")
            for item in task.get("output") or ()
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"]
        )
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


def build_balance(config: ProviderConfig) -> WireRequest:
    return WireRequest("GET", config.url("/api/v1/account/credits"), c.bearer(config.api_key))


def parse_balance(data: Any) -> AccountBalance:
    answer = c.as_dict(data)
    available = c.exact_amount(answer.get("availableCredits"))
    if available is None:
        # Not `credits` instead: it is the larger figure (5000 against 4800, 002:214-215), so it may count
        # credits already promised to running tasks and overstate what can be spent.
        raise ProviderError(
            f"{DISPLAY_NAME} answered the balance request without a readable availableCredits.", permanent=False
        )
    return AccountBalance(available, COST_UNIT, dict(answer))


def error_message(data: Any) -> str | None:
    data = c.as_dict(data)
    return c.text(data.get("message"), data.get("error"))
