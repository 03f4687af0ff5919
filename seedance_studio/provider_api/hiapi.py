"""HiAPI's wire format (shared/seeds/003_bc94c502d4abd21f.txt and the facts in seeds/README.md).

Create: `POST /v1/tasks` -> `{"code": 200, "message": "success", "data": {"taskId": "tk-hiapi-…"}}`; errors
`{"code": 4xx, "message": …, "data": null, "error_code": …}`, 503 = retry later. Status: `GET /v1/tasks/{id}`
-> `data: {taskId, model, status, created, completed, output?, error?}`, status queued / handling /
archiving / success / fail; `output` is `[{url, type, expireAt}]`. Callbacks: a top-level `callback: {url,
when: "final"}` in the create body, an "HTTPS URL that receives terminal task notifications" (003:126-139,
003:188-191); they POST the task detail object; with an account signing key they carry `X-HiAPI-Timestamp`
and `X-HiAPI-Signature` = hex(HMAC-SHA256(key, timestamp + "." + raw body)).

Decisions where the documents are silent:
- `expireAt` is read as unix seconds, milliseconds or ISO 8601, whichever arrives.
- A callback body is accepted bare (the task detail object) or wrapped in the `{code, data}` envelope.
- The signature tolerance is 5 minutes either way (clock skew); the hex digest is compared case-insensitively.
- Result links: no example in the document; the default allow-list is HiAPI's own domain, `hiapi.ai`.
- Cost and balance: neither the task detail (seeds/README.md) nor 003 carries a charge or describes a
  balance endpoint (prices are "See HiAPI Pricing", 003:15), so `reported_cost` is always None and
  `ProviderClient.account_balance()` answers None without a request.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote

from . import _common as c
from .errors import CallbackRejected
from .types import OUTPUT_KINDS, CallbackHint, Output, ProviderConfig, State, TaskStatus, WireRequest

PROVIDER = "hiapi"
DISPLAY_NAME = "HiAPI"
DEFAULT_BASE_URL = "https://api.hiapi.ai"
SIGNATURE_TOLERANCE = 300  # seconds
# Create statuses that mean "nothing was created, try again later": "503 means retry later" (seeds/README.md,
# the HiAPI facts). Any other 5xx on a create, or no answer at all, may hide a task: confirmed, never resent.
CREATE_RETRY_STATUSES = frozenset({503})
CALLBACK_SCHEMES = ("https",)  # 003:132

_STATES: dict[str, State] = {
    "queued": "queued",
    "handling": "running",
    "archiving": "running",
    "success": "succeeded",
    "fail": "failed",
}


def accepts_callback(url: str) -> bool:
    """https only: "HTTPS URL that receives terminal task notifications" (003:130-132). For any other URL the
    worker asks for no callback and follows the task by polling alone."""
    return c.callback_url_fits(url, CALLBACK_SCHEMES)


def build_create(
    body: dict, config: ProviderConfig, callback_url: str | None = None, callback_secret: str | None = None
) -> WireRequest:
    """`callback_secret` is ignored: HiAPI signs with the account's key (`config.signing_key`). Raises
    ValueError for a callback URL `accepts_callback` refuses."""
    if callback_url:
        if not accepts_callback(callback_url):
            raise ValueError("HiAPI needs an https:// callback URL (003:132)")
        body = {**body, "callback": {"url": callback_url, "when": "final"}}
    return WireRequest("POST", config.url("/v1/tasks"), c.bearer(config.api_key), body)


def parse_create(data: Any) -> str:
    return c.task_id(DISPLAY_NAME, c.unwrap_envelope(DISPLAY_NAME, data, error_message, creating=True).get("taskId"))


def build_status(task_id: str, config: ProviderConfig) -> WireRequest:
    return WireRequest("GET", config.url(f"/v1/tasks/{quote(task_id, safe='')}"), c.bearer(config.api_key))


def parse_status(data: Any) -> TaskStatus:
    task = c.unwrap_envelope(DISPLAY_NAME, data, error_message, creating=False)
    if not task:
        raise c.bad_answer(DISPLAY_NAME, "a task")
    return task_status(task)


def task_status(task: dict) -> TaskStatus:
    state = _STATES.get(str(task.get("status") or "").lower(), "running")
    if state == "succeeded":
        outputs = tuple(
            Output(item["url"], item["type"], c.timestamp(item.get("expireAt")))
            for item in task.get("output") or ()
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item.get("type") in OUTPUT_KINDS
        )
        if not any(o.kind == "video" for o in outputs):
            return TaskStatus("failed", error=f"{DISPLAY_NAME} reported success but gave no video link.")
        return TaskStatus("succeeded", progress=1.0, outputs=outputs)
    if state == "failed":
        error = c.as_dict(task.get("error"))
        message = c.text(error.get("message")) or f"{DISPLAY_NAME} reported the task failed without a reason."
        return TaskStatus(
            "failed", error=message, moderation=c.looks_like_moderation(message, str(error.get("code") or ""))
        )
    return TaskStatus(state)


def parse_callback(headers, raw_body: bytes, config: ProviderConfig, *, now: float | None = None) -> CallbackHint:
    """Verified (and trusted) when `config.signing_key` is set, else an unsigned hint. Raises
    CallbackRejected on a missing, wrong or stale signature."""
    delivered = None
    if config.signing_key:
        delivered = verify_signature(headers, raw_body, config.signing_key, time.time() if now is None else now)
    body = c.as_dict(c.load_json(raw_body, DISPLAY_NAME))
    task = body if "taskId" in body else c.as_dict(body.get("data"))
    task_id = task.get("taskId")
    if not task_id:
        raise CallbackRejected(f"The {DISPLAY_NAME} callback names no task: ignoring it.")
    trusted = bool(config.signing_key)
    return CallbackHint(str(task_id), task_status(task) if trusted else None, trusted, delivered)


def sign(key: str, timestamp: str, raw_body: bytes) -> str:
    return hmac.new(key.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()


def verify_signature(headers, raw_body: bytes, key: str, now: float) -> float:
    stamp = (c.header(headers, "X-HiAPI-Timestamp") or "").strip()
    signature = (c.header(headers, "X-HiAPI-Signature") or "").strip().lower()
    if not stamp.isdigit() or len(stamp) > 12 or not signature:  # 12 digits: unix seconds for 30,000 years
        raise CallbackRejected(
            f"The {DISPLAY_NAME} callback is not signed, but a signing key is configured: ignoring it."
        )
    if abs(now - int(stamp)) > SIGNATURE_TOLERANCE:
        raise CallbackRejected(
            f"The {DISPLAY_NAME} callback's timestamp is more than 5 minutes away from now "
            f"(a replay, or a clock far off): ignoring it."
        )
    if not hmac.compare_digest(sign(key, stamp, raw_body), signature):
        raise CallbackRejected(f"The {DISPLAY_NAME} callback's signature does not match the signing key: ignoring it.")
    return float(stamp)


def error_message(data: Any) -> str | None:
    data = c.as_dict(data)
    return c.text(data.get("message"), data.get("error"))
