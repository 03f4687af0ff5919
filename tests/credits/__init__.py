"""Credits tests. Jobs here are made the way the studio makes them (create_reserved reserves the quote) and ended
through the job's own transitions, so every ledger entry is one the studio could have written."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from seedance_studio.studio.models import Composition, Job

WORKER = "test-worker"


def paid_job(owner, *, provider="piapi", tier="seedance-2-fast", credits=120, prompt="A lighthouse at dawn") -> Job:
    composition = Composition.objects.create(owner=owner, provider=provider, tier=tier, prompt=prompt)
    quote = {
        "currency": "USD",
        "amount": f"{credits / 100:.2f}",
        "studio_credits": credits,
        "summary": f"5 s x ${credits / 500:.3f} = ${credits / 100:.2f} -> {credits} credits",
        "lines": [f"5 s x ${credits / 500:.3f}"],
        "source": "document",
        "estimated": False,
    }
    return Job.objects.create_reserved(
        owner=owner,
        composition=composition,
        submission_key=uuid.uuid4(),
        provider=provider,
        quote=quote,
        price_credits=credits,
        request_body={},
    )


def _leased(job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(lease_owner=WORKER, lease_expires_at=timezone.now() + timedelta(minutes=1))
    return Job.objects.get(pk=job.pk)


def succeed(job: Job, **provider_cost) -> Job:
    assert _leased(job).succeed(WORKER, provider_cost=provider_cost or None)
    return Job.objects.get(pk=job.pk)


def fail(job: Job, message="The provider refused the task.") -> Job:
    assert _leased(job).fail(WORKER, message)
    return Job.objects.get(pk=job.pk)


def set_aside(job: Job, reason="The create was never confirmed: attach the task or close the job.") -> Job:
    Job.objects.filter(pk=job.pk).update(create_sent_at=timezone.now(), phase=Job.Phase.CONFIRM)
    assert _leased(job).set_aside(WORKER, reason)
    return Job.objects.get(pk=job.pk)


def age(job: Job, **delta) -> Job:
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(**delta))
    return Job.objects.get(pk=job.pk)


class FakeBalanceClient:
    """Stands in for a provider client in the balance report: answers `account_balance()` with `answer`, or
    raises it when it is an exception (a provider that is down)."""

    def __init__(self, answer):
        self.answer = answer

    def account_balance(self):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer
