"""`ProviderClient`: one provider account as the worker and the webhook view use it.

It only strings together the wire module (what to send, how to read the answer) and the HTTP layer (how to
send it); every rule lives in one of those two.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from .download import Downloaded, DownloadPolicy, Resolver, download
from .errors import OutcomeUnknown
from .http import Http, not_created, redact, shared
from .types import AccountBalance, CallbackHint, Output, ProviderConfig, TaskStatus


class ProviderClient:
    def __init__(
        self,
        wire: ModuleType,
        config: ProviderConfig,
        *,
        http: Http | None = None,
        resolve: Resolver | None = None,
        max_download_bytes: int | None = None,
    ):
        self.wire = wire
        self.config = config
        self._http = http
        self._resolve = resolve
        self._max_download_bytes = max_download_bytes

    def __repr__(self) -> str:
        return f"<ProviderClient {self.wire.PROVIDER} {self.config.base_url}>"

    @property
    def name(self) -> str:
        return self.wire.DISPLAY_NAME

    @property
    def http(self) -> Http:
        return self._http or shared()

    def accepts_callback(self, url: str) -> bool:
        """Whether the provider takes `url` as a callback (the wire module's rule: EvoLink and HiAPI want https)."""
        return self.wire.accepts_callback(url)

    def create(self, body: dict, *, callback_url: str | None = None, callback_secret: str | None = None) -> str:
        """Send the core's request body once; the provider's task id. Raises ProviderError (nothing was
        created) or OutcomeUnknown (look the task up, never resend).

        A status the wire module lists in `CREATE_RETRY_STATUSES` (its document says "not created, try again")
        is a non-permanent ProviderError, whether it comes as the HTTP status or as the `code` of a JSON
        envelope answered with HTTP 200 (HiAPI's `{"code": 503, ...}`)."""
        retry: frozenset[int] = getattr(self.wire, "CREATE_RETRY_STATUSES", frozenset())
        request = self.wire.build_create(body, self.config, callback_url, callback_secret)
        answer = self.http.create(
            request, provider=self.name, error_message=self.wire.error_message, retry_statuses=retry
        )
        try:
            return self.wire.parse_create(answer)
        except OutcomeUnknown as unknown:
            status = unknown.status
            if status is None or status not in retry:
                raise
            text = self.wire.error_message(answer)
            raise not_created(status, self.name, redact(text, request.headers) if text else None) from None

    def status(self, task_id: str) -> TaskStatus:
        request = self.wire.build_status(task_id, self.config)
        answer = self.http.read(request, provider=self.name, error_message=self.wire.error_message)
        return self.wire.parse_status(answer)

    def account_balance(self) -> AccountBalance | None:
        """What the account can still spend, read like a status (a GET: retried on network errors, 429 and
        5xx; a refused key raises ProviderError). None, without a request, where the provider's document
        describes no balance endpoint: a wire module that has one defines `build_balance`/`parse_balance`."""
        build = getattr(self.wire, "build_balance", None)
        if build is None:
            return None
        answer = self.http.read(build(self.config), provider=self.name, error_message=self.wire.error_message)
        return self.wire.parse_balance(answer)

    def callback(self, headers: Mapping[str, str], raw_body: bytes, *, now: float | None = None) -> CallbackHint:
        return self.wire.parse_callback(headers, raw_body, self.config, now=now)

    def download(self, output: Output | str, dest: Path, **policy) -> Downloaded:
        if self._max_download_bytes is not None:
            policy.setdefault("max_bytes", self._max_download_bytes)
        url = output.url if isinstance(output, Output) else output
        return download(
            url,
            dest,
            DownloadPolicy.for_config(self.config, self.name, **policy),
            http=self.http,
            resolve=self._resolve,
        )
