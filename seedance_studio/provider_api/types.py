"""The values every provider module speaks in: its configuration, the request it builds, the status it reads.

Plain frozen dataclasses, no Django: the worker, the webhook view and the emulators share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple

State = Literal["queued", "running", "succeeded", "failed"]
OutputKind = Literal["video", "image", "first_frame", "last_frame", "thumbnail", "audio"]
OUTPUT_KINDS = ("video", "image", "first_frame", "last_frame", "thumbnail", "audio")
TERMINAL_STATES = ("succeeded", "failed")


@dataclass(frozen=True)
class ProviderConfig:
    """One provider account. Secrets stay out of repr() so a logged config never leaks them.

    `webhook_secret` is PiAPI's/GoAPI's `webhook_config.secret`; `signing_key` is HiAPI's account webhook
    signing key. `emulated` is for the in-project emulator only: it lets result downloads use http and
    loopback addresses, which a real provider never needs.
    """

    api_key: str = field(repr=False)
    base_url: str
    webhook_secret: str = field(default="", repr=False)
    signing_key: str = field(default="", repr=False)
    allowed_result_hosts: tuple[str, ...] = ()
    emulated: bool = False

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


class WireRequest(NamedTuple):
    """(method, url, headers, json): what a provider module asks the HTTP layer to send."""

    method: str
    url: str
    headers: dict[str, str]
    json: Any = None


@dataclass(frozen=True)
class Output:
    url: str
    kind: OutputKind = "video"
    expires_at: datetime | None = None  # UTC, when the provider says


@dataclass(frozen=True)
class ReportedCost:
    """What the provider says a finished task cost, in the provider's own unit: never converted here, so
    the ledger compares like with like (each wire module's `COST_UNIT` says what its unit is and why).

    `amount` is exact (a Decimal read from the JSON integer or numeric string, never float arithmetic).
    `raw` is the provider's own usage object as it arrived, for the admin; it takes no part in equality.
    """

    amount: Decimal
    unit: str
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AccountBalance:
    """What the provider account can still spend, in the provider's own unit. `raw` is its whole answer."""

    amount: Decimal
    unit: str
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class TaskStatus:
    """A provider's task in the studio's words. `progress` (0..1) and `eta_seconds` only when the provider
    reports them: the studio never invents a progress figure. `reported_cost` only on a finished task whose
    provider documents a charge and gave a readable one; anything else is None, never an error."""

    state: State
    progress: float | None = None
    eta_seconds: float | None = None
    outputs: tuple[Output, ...] = ()
    error: str | None = None
    moderation: bool = False
    reported_cost: ReportedCost | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def video(self) -> Output | None:
        return next((o for o in self.outputs if o.kind == "video"), None)


@dataclass(frozen=True)
class CallbackHint:
    """What a callback says. `status` is only filled in when the callback was verified (`trusted`); an
    unsigned callback names a task to re-read, nothing more. `delivered_at` is the provider's own delivery
    timestamp when it sends one (PiAPI/GoAPI body, HiAPI header), useful to spot duplicates."""

    task_id: str
    status: TaskStatus | None
    trusted: bool
    delivered_at: float | None = None
