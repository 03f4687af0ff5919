"""How each provider is doing, from the studio's own history: what the admin's providers page shows.

For every remote provider: whether it is configured here and where it points (the base URL, never the key),
its last success, and over the last 24 hours how many jobs ended, how many failed and why (Job.failure_cause),
how many were set aside, and the median time a job waited in the studio (submit to sent) and took at the
provider (sent to kept). A fixed number of queries however long the history is (GROUP BY per provider); only
the last day's succeeded jobs are read row by row, for the medians.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from seedance_studio.seedance import registry
from seedance_studio.studio.models import Job

WINDOW = timedelta(hours=24)
NOT_RECORDED = "Cause not recorded"  # failures from before causes were kept


@dataclass
class ProviderHealth:
    provider: str
    name: str
    configured: bool
    base_url: str = ""
    last_success_at: datetime | None = None
    ended: int = 0  # jobs that ended in the window (succeeded, failed, cancelled) or were set aside
    succeeded: int = 0
    failed: int = 0
    set_aside: int = 0
    in_flight: int = 0
    causes: list[tuple[str, int]] = field(default_factory=list)  # (label, count), most first
    median_wait_seconds: float | None = None
    median_run_seconds: float | None = None
    balance: object | None = None  # credits.audit.ProviderBalance, where the provider's API reports one

    @property
    def failure_rate(self) -> float | None:
        """Failed or set aside, out of the jobs that ended in the window; None with no jobs."""
        settled = self.succeeded + self.failed + self.set_aside
        return None if not settled else (self.failed + self.set_aside) / settled

    @property
    def failure_percent(self) -> str:
        rate = self.failure_rate
        return "—" if rate is None else f"{rate * 100:.0f}%"

    @property
    def state(self) -> str:
        """ "ok", "trouble" (half or more of the last day's jobs failed) or "idle" (no jobs in the window)."""
        rate = self.failure_rate
        if rate is None:
            return "idle"
        return "trouble" if rate >= 0.5 else "ok"


def provider_health(now: datetime | None = None, *, with_balances: bool = True) -> list[ProviderHealth]:
    now = now or timezone.now()
    since = now - WINDOW
    remote = [info for info in registry.providers() if info.id != "local_preview"]
    health = {
        info.id: ProviderHealth(info.id, info.display_name, info.id in settings.PROVIDERS, _base_url(info.id))
        for info in remote
    }
    jobs = Job.objects.paid().order_by()

    for row in jobs.values("provider").annotate(
        last_success=Max("finished_at", filter=Q(status=Job.Status.SUCCEEDED)),
        in_flight=Count("pk", filter=Q(status__in=Job.IN_FLIGHT)),
        set_aside=Count("pk", filter=Q(status=Job.Status.SET_ASIDE, updated_at__gte=since)),
        succeeded=Count("pk", filter=Q(status=Job.Status.SUCCEEDED, finished_at__gte=since)),
        failed=Count("pk", filter=Q(status=Job.Status.FAILED, finished_at__gte=since)),
        cancelled=Count("pk", filter=Q(status=Job.Status.CANCELLED, finished_at__gte=since)),
    ):
        entry = _entry(health, row["provider"])
        entry.last_success_at = row["last_success"]
        entry.in_flight, entry.set_aside = row["in_flight"], row["set_aside"]
        entry.succeeded, entry.failed = row["succeeded"], row["failed"]
        entry.ended = row["succeeded"] + row["failed"] + row["cancelled"] + row["set_aside"]

    labels = dict(Job.Failure.choices)
    causes: dict[str, list[tuple[str, int]]] = {}
    for row in (
        jobs.filter(status=Job.Status.FAILED, finished_at__gte=since)
        .values("provider", "failure_cause")
        .annotate(count=Count("pk"))
    ):
        label = labels.get(row["failure_cause"], NOT_RECORDED)
        causes.setdefault(row["provider"], []).append((label, row["count"]))
    for provider, counted in causes.items():
        _entry(health, provider).causes = sorted(counted, key=lambda item: (-item[1], item[0]))
    for entry in health.values():
        if entry.set_aside:
            entry.causes.append(("Set aside for an admin", entry.set_aside))

    waits: dict[str, list[float]] = {}
    runs: dict[str, list[float]] = {}
    for provider, created, sent, finished in jobs.filter(
        status=Job.Status.SUCCEEDED, finished_at__gte=since, create_sent_at__isnull=False
    ).values_list("provider", "created_at", "create_sent_at", "finished_at"):
        waits.setdefault(provider, []).append((sent - created).total_seconds())
        runs.setdefault(provider, []).append((finished - sent).total_seconds())
    for provider in waits:
        entry = _entry(health, provider)
        entry.median_wait_seconds = statistics.median(waits[provider])
        entry.median_run_seconds = statistics.median(runs[provider])

    if with_balances:
        from seedance_studio.credits.audit import provider_balances

        for balance in provider_balances():
            _entry(health, balance.provider).balance = balance
    return sorted(health.values(), key=lambda entry: (not entry.configured, entry.name.lower()))


def _entry(health: dict[str, ProviderHealth], provider: str) -> ProviderHealth:
    """A provider the studio no longer knows (renamed, removed) still shows its history."""
    if provider not in health:
        health[provider] = ProviderHealth(provider, provider, provider in settings.PROVIDERS, _base_url(provider))
    return health[provider]


def _base_url(provider: str) -> str:
    config = settings.PROVIDERS.get(provider)
    return config.base_url if config is not None else ""
