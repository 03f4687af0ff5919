"""Small pieces the wire modules share: header lookup, JSON bodies, timestamps, amounts, moderation words."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from .errors import CallbackRejected, OutcomeUnknown, ProviderError
from .http import status_error
from .types import ReportedCost, TaskStatus

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

# None of the documents names a moderation error code except EvoLink's `content_policy_violation`; these
# are the words the providers' failure messages use for a content refusal.
_MODERATION = re.compile(
    r"moderat|content[\s_-]*(policy|violation|review|safety|check|filter)|safety[\s_-]*(filter|check|system)|"
    r"sensitive|nsfw|flagged|inappropriate|prohibited|disallowed|policy[\s_-]*violation",
    re.IGNORECASE,
)
_PLAIN_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")  # "200", "0.40": no sign, exponent, "_" or "NaN"


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", **JSON_HEADERS}


def callback_url_fits(url: str, schemes: tuple[str, ...], max_length: int | None = None) -> bool:
    """Whether `url` is one a provider takes as its callback: one of its `schemes`, a host, at most `max_length`
    characters. Each wire module's `accepts_callback` says which; its build_create refuses any other URL."""
    parts = urlsplit(url)
    return parts.scheme.lower() in schemes and bool(parts.netloc) and (max_length is None or len(url) <= max_length)


def looks_like_moderation(*texts: Any) -> bool:
    return any(isinstance(t, str) and _MODERATION.search(t) for t in texts)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works for a dict, httpx.Headers or Django's request.headers."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def secrets_match(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def load_json(raw_body: bytes | str, provider: str) -> Any:
    try:
        return json.loads(raw_body)
    except (TypeError, ValueError):
        raise CallbackRejected(f"The {provider} callback body is not JSON: ignoring it.") from None


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def text(*values: Any) -> str | None:
    """The first non-empty string among values; dicts contribute their `message`."""
    for value in values:
        if isinstance(value, dict):
            value = value.get("message") or value.get("raw_message")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def timestamp(value: Any) -> datetime | None:
    """Unix seconds, unix milliseconds or ISO 8601 -> aware UTC datetime. Go's zero time means "not yet"."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        if value.isdigit():
            return timestamp(int(value))
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if parsed.year <= 1:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def fraction(percent: Any) -> float | None:
    if isinstance(percent, bool) or not isinstance(percent, int | float):
        return None
    return max(0.0, min(1.0, percent / 100))


def seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


def exact_amount(value: Any) -> Decimal | None:
    """A non-negative amount from a JSON number or a plain numeric string, exactly; None for anything else.

    Integers (how every documented usage figure arrives) are exact as they are. A JSON float is read through
    its shortest repr, which gives back the literal the provider wrote (up to 15 significant digits), never
    the binary expansion `Decimal(0.1)` would. Bools, NaN, infinities, negatives and words are not amounts.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        amount = Decimal(value.strip())
    else:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def reported_cost(value: Any, unit: str, raw: Any) -> ReportedCost | None:
    """The cost `value` states in `unit`, keeping the provider's object `raw`; None when it is no amount."""
    amount = exact_amount(value)
    return None if amount is None else ReportedCost(amount, unit, dict(as_dict(raw)))


def charged(status: TaskStatus, cost: ReportedCost | None) -> TaskStatus:
    """`status` with the provider's reported cost, once the task is finished. While it runs, the figures a
    provider shows are holds (PiAPI's `frozen`), not charges, so nothing is reported then."""
    return replace(status, reported_cost=cost) if status.is_terminal else status


def envelope_failure(provider: str, code: Any, message: str | None, *, creating: bool) -> Exception:
    """A JSON envelope whose `code` is not 200 (PiAPI, GoAPI, HiAPI answer HTTP 200 with one at times)."""
    status = code if isinstance(code, int) and not isinstance(code, bool) else 500
    if creating and (status >= 500 or status == 408):
        return OutcomeUnknown(
            f"{provider} answered code {status} to the create request"
            f"{': ' + message if message else ''}: the task may or may not exist there, so it "
            f"is looked up instead of sent again.",
            status=status,
        )
    return status_error(status, provider, message)


def unwrap_envelope(provider: str, data: Any, error_message, *, creating: bool) -> dict:
    """The `data` inside a `{code, message, data}` envelope (PiAPI, GoAPI, HiAPI); raises when `code` is not 200."""
    data = as_dict(data)
    if data.get("code") != 200:
        raise envelope_failure(provider, data.get("code"), error_message(data), creating=creating)
    return as_dict(data.get("data"))


def task_id(provider: str, value: Any, message: str | None = None) -> str:
    """A create answer's task id, or the error that says why there is none (see missing_task_id)."""
    if not value:
        raise missing_task_id(provider, message)
    return str(value)


def missing_task_id(provider: str, message: str | None = None) -> Exception:
    """No task id in a create answer: the provider's refusal when it says why, else an unknown outcome."""
    if message:
        return status_error(400, provider, message)
    return OutcomeUnknown(
        f"{provider} accepted the create request but its answer carries no task id: the task "
        f"may exist there, so it is looked up instead of sent again."
    )


def bad_answer(provider: str, what: str) -> ProviderError:
    return ProviderError(f"{provider} answered a status request without {what}.", permanent=False, retryable=True)
