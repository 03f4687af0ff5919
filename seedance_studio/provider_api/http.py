"""The one HTTP layer every provider call goes through (the role of healthchecks' hc/lib/curl.py).

- One `httpx.Client` per process (`shared()`), explicit connect/read/write/pool timeouts, no automatic
  redirects. Tests and the emulator pass their own transport to `Http(transport=...)` and `install()` it.
- `read()` is for requests that are safe to repeat (status reads): retried on network errors, 408, 429 and
  5xx with capped exponential backoff and jitter, honouring `Retry-After`. `retrying()` gives downloads the
  same treatment.
- `create()` is sent exactly once. A create whose answer is lost (timeout after sending, 408, 5xx, garbage
  instead of JSON) raises `OutcomeUnknown`: the caller waits for the task to be confirmed, never resends. The
  one exception is a status the provider's own document says means "not created, try again" (each wire module's
  `CREATE_RETRY_STATUSES`, passed as `retry_statuses`): that is a non-permanent ProviderError, and the caller
  sends the create again later. It is never repeated here, so the caller's backoff decides when.
- API keys never reach a log line or an exception message: messages are built from the provider's words,
  with any credential the request carried blanked out.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from .errors import OutcomeUnknown, ProviderError
from .types import WireRequest

log = logging.getLogger("seedance_studio.provider_api")

T = TypeVar("T")
ErrorMessage = Callable[[Any], "str | None"]

USER_AGENT = "SeedanceStudio/1.0 (+httpx)"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
_CREDENTIAL_HEADERS = ("authorization", "x-api-key")
_NETWORK_WORDS = {
    "ConnectTimeout": "the connection timed out",
    "ConnectError": "the connection failed",
    "PoolTimeout": "no free connection in time",
    "ReadTimeout": "no answer within the read timeout",
    "WriteTimeout": "the request could not be sent in time",
    "ReadError": "the connection broke while reading the answer",
    "WriteError": "the connection broke while sending",
    "RemoteProtocolError": "the server closed the connection without a proper answer",
}
# Failures where no byte of the request reached the provider: reporting them cannot hide a created task.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
_MISCONFIGURED = (httpx.UnsupportedProtocol, httpx.InvalidURL)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # the first try included
    base_delay: float = 0.5
    max_delay: float = 20.0
    # A longer Retry-After is not slept through inline: it goes back to the caller in `retry_after`,
    # so a worker thread is never parked for minutes.
    max_retry_after: float = 30.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def status_error(status: int, provider: str, text: str | None, *, retry_after: float | None = None) -> ProviderError:
    """The ProviderError for an HTTP status (or a status-like `code` in a provider's JSON envelope)."""
    said = f": {text}" if text else ""
    if status == 429:
        return ProviderError(
            f"{provider} is at its limit for now (HTTP 429{said}); the studio will try again later.",
            permanent=False,
            status=status,
            retry_after=retry_after,
            retryable=True,
            provider_message=text,
        )
    if status == 408 or status >= 500:
        return ProviderError(
            f"{provider} had a temporary problem (HTTP {status}{said}).",
            permanent=False,
            status=status,
            retry_after=retry_after,
            retryable=True,
            provider_message=text,
        )
    if status == 402:
        return ProviderError(
            f"{provider} says the account is out of credits (HTTP 402{said}): an admin needs to "
            f"top it up; the job waits.",
            permanent=False,
            status=status,
            retry_after=retry_after,
            provider_message=text,
        )
    if status == 401:
        return ProviderError(
            f"{provider} refused the API key (HTTP 401{said}): an admin needs to check the key "
            f"configured for {provider}.",
            permanent=True,
            status=status,
            provider_message=text,
        )
    if 300 <= status < 400:
        return ProviderError(
            f"{provider} answered with a redirect (HTTP {status}); check its base URL.",
            permanent=True,
            status=status,
            provider_message=text,
        )
    return ProviderError(
        f"{provider} refused the request (HTTP {status}{said}).", permanent=True, status=status, provider_message=text
    )


def not_created(status: int, provider: str, text: str | None, *, retry_after: float | None = None) -> ProviderError:
    """A create answered with a status the provider documents as "try again later": nothing was made there, so
    the create may be sent again (later, by the caller; `retryable` stays False so no inline loop resends it)."""
    said = f": {text}" if text else ""
    return ProviderError(
        f'{provider} answered HTTP {status}{said}, which its documentation says means "try again '
        f'later": nothing was created, so the studio sends it again.',
        permanent=False,
        status=status,
        retry_after=retry_after,
        retryable=False,
        provider_message=text,
    )


class Http:
    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
    ):
        self.client = client or httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        self.retry = retry
        self.sleep = sleep
        self.jitter = jitter
        self.clock = clock

    def close(self) -> None:
        self.client.close()

    def create(
        self,
        request: WireRequest,
        *,
        provider: str = "The provider",
        error_message: ErrorMessage | None = None,
        retry_statuses: Collection[int] = (),
    ) -> Any:
        """Send a create once. Returns the answer's JSON; raises ProviderError or OutcomeUnknown.

        `retry_statuses`: the statuses the provider documents as "nothing was created, try again later" (HiAPI's
        503, the Seedance2 API's 500); they raise a non-permanent ProviderError (`not_created`) instead of
        OutcomeUnknown. A timeout and any undocumented 5xx stay OutcomeUnknown."""
        try:
            response = self._send(request, provider)
        except _MISCONFIGURED:
            raise _bad_base_url(provider) from None
        except _NOT_SENT as exc:
            raise ProviderError(
                f"{provider} could not be reached ({_describe(exc)}); nothing was sent, so "
                f"submitting again later is safe.",
                permanent=False,
            ) from None
        except httpx.TransportError as exc:
            raise OutcomeUnknown(
                f"{provider} did not answer the create request ({_describe(exc)}): the task "
                f"may or may not exist there, so it is looked up instead of sent again."
            ) from None
        status = response.status_code
        if status in retry_statuses:
            text = _provider_text(response, error_message)
            raise not_created(
                status,
                provider,
                redact(text, request.headers) if text else None,
                retry_after=parse_retry_after(response.headers.get("retry-after"), self.clock()),
            )
        if status == 408 or status >= 500:
            raise OutcomeUnknown(
                f"{provider} answered HTTP {status} to the create request: the task may or may "
                f"not exist there, so it is looked up instead of sent again.",
                status=status,
            )
        if status >= 300:
            error = self._failure(response, request, provider, error_message)
            error.retryable = False  # never repeated here, whatever the status
            raise error
        try:
            return response.json()
        except ValueError:
            raise OutcomeUnknown(
                f"{provider} accepted the create request but its answer was not JSON: the task "
                f"may exist there, so it is looked up instead of sent again.",
                status=status,
            ) from None

    def read(
        self, request: WireRequest, *, provider: str = "The provider", error_message: ErrorMessage | None = None
    ) -> Any:
        """Send a request that is safe to repeat, with retries. Returns the answer's JSON."""

        def attempt():
            try:
                response = self._send(request, provider)
            except _MISCONFIGURED:
                raise _bad_base_url(provider) from None
            except httpx.TransportError as exc:
                raise ProviderError(
                    f"{provider} could not be reached ({_describe(exc)}).", permanent=False, retryable=True
                ) from None
            if response.status_code >= 300:
                raise self._failure(response, request, provider, error_message)
            try:
                return response.json()
            except ValueError:
                # A proxy's HTML error page in front of the API, typically: worth another look.
                raise ProviderError(
                    f"{provider} answered with something that is not JSON.",
                    permanent=False,
                    status=response.status_code,
                    retryable=True,
                ) from None

        return self.retrying(attempt, what=f"{provider} {request.method}")

    def retrying(self, attempt: Callable[[], T], *, what: str = "request") -> T:
        """Run `attempt` until it succeeds or fails for good; only `retryable` ProviderErrors are repeated."""
        for number in range(1, self.retry.attempts + 1):
            try:
                return attempt()
            except ProviderError as exc:
                if not exc.retryable or number == self.retry.attempts:
                    raise
                delay = self._delay(number, exc.retry_after)
                if delay is None:
                    raise
                log.info(
                    "%s failed (%s); attempt %d of %d in %.2f s",
                    what,
                    exc.status or "network",
                    number + 1,
                    self.retry.attempts,
                    delay,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _delay(self, number: int, retry_after: float | None) -> float | None:
        if retry_after is not None:
            return retry_after if retry_after <= self.retry.max_retry_after else None
        backoff = min(self.retry.max_delay, self.retry.base_delay * 2 ** (number - 1))
        return backoff / 2 + self.jitter() * backoff / 2  # "equal jitter": spread out, never zero

    def _send(self, request: WireRequest, provider: str) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self.client.request(request.method, request.url, headers=request.headers, json=request.json)
        except httpx.TransportError as exc:
            log.warning("%s %s %s failed: %s", provider, request.method, _path(request.url), type(exc).__name__)
            raise
        log.info(
            "%s %s %s -> %s (%.0f ms)",
            provider,
            request.method,
            _path(request.url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _failure(
        self, response: httpx.Response, request: WireRequest, provider: str, error_message: ErrorMessage | None
    ) -> ProviderError:
        text = _provider_text(response, error_message)
        if text:
            text = redact(text, request.headers)
        retry_after = parse_retry_after(response.headers.get("retry-after"), self.clock())
        return status_error(response.status_code, provider, text, retry_after=retry_after)


def redact(text: str, headers: dict[str, str]) -> str:
    """`text` with every credential from `headers` blanked out (a provider may echo a bad key back)."""
    for name, value in headers.items():
        if name.lower() not in _CREDENTIAL_HEADERS or not value:
            continue
        secret = value.split(" ", 1)[1] if value.lower().startswith("bearer ") else value
        if len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


def _provider_text(response: httpx.Response, error_message: ErrorMessage | None) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None  # an HTML error page says nothing a creative can use
    text = error_message(data) if error_message else None
    if text is None and isinstance(data, dict):
        text = _first_text(data.get("message"), data.get("error"), data.get("msg"), data.get("detail"))
    return text[:500] if text else None


def _first_text(*values) -> str | None:
    for value in values:
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _bad_base_url(provider: str) -> ProviderError:
    return ProviderError(
        f"{provider}'s base URL is not a valid https:// URL: an admin needs to fix it.", permanent=True
    )


def _describe(exc: Exception) -> str:
    return _NETWORK_WORDS.get(type(exc).__name__, "a network error")


def _path(url: str) -> str:
    return httpx.URL(url).path


_shared: Http | None = None
_lock = threading.Lock()


def shared() -> Http:
    """The process-wide layer, created on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Http()
        return _shared


def install(http: Http | None) -> Http | None:
    """Make `http` the process-wide layer (None: a fresh default on next use); returns the previous one."""
    global _shared
    with _lock:
        previous, _shared = _shared, http
        return previous
