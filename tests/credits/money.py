"""Helpers for money tests: submit a paid job the way the compose page does, end it the way the worker does,
and check the invariants every test of the ledger should leave true."""

from __future__ import annotations

import uuid

from django.db.models import Sum

from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft

# PiAPI seedance-2-fast at 480p is $0.08 per second (000:286): 5 s = $0.40 = 40 credits at 100 credits per USD.
PAID = dict(
    provider="piapi",
    tier="seedance-2-fast",
    resolution="480p",
    aspect_ratio="16:9",
    mode="auto",
    prompt="A lighthouse at dawn, slow push-in",
)
PAID_5S_CREDITS = 40


def submit_paid(user, *, duration=5, key=None, **fields) -> Job:
    draft = Composition.objects.draft_for(user)
    for name, value in {**PAID, "duration": duration, **fields}.items():
        setattr(draft, name, value)
    draft.save()
    return submit_draft(draft, key or uuid.uuid4())


def claimed(job: Job, worker: str = "worker-a") -> Job:
    """The job as a worker holds it (claim it whatever its run_after)."""
    Job.objects.filter(pk=job.pk).update(run_after=job.created_at)
    held = Job.objects.filter(pk=job.pk).claim_next(worker, lease_seconds=60)
    assert held is not None and held.pk == job.pk, "the job should have been claimable"
    return held


def entries(user, kind=None) -> list[LedgerEntry]:
    rows = LedgerEntry.objects.filter(user=user)
    return list(rows.filter(kind=kind) if kind else rows)


def assert_ledger_invariants(*users) -> None:
    """Balances never negative and always the sum of the entries; one reservation and at most one settlement
    per job, of the same amount; an ended job holds nothing."""
    for user in users:
        account = CreditAccount.objects.filter(user=user).first() or CreditAccount(user=user)  # none yet: 0/0
        rows = LedgerEntry.objects.filter(user=user)
        total = {
            kind: rows.filter(kind=kind).aggregate(total=Sum("amount"))["total"] or 0
            for kind in LedgerEntry.Kind.values
        }
        assert account.available >= 0 and account.held >= 0
        assert account.available == (total["grant"] + total["adjustment"] - total["reserve"] + total["release"])
        assert account.held == total["reserve"] - total["consume"] - total["release"]
        assert account.available + account.held == total["grant"] + total["adjustment"] - total["consume"]
    for job in Job.objects.filter(owner__in=users):
        job_rows = LedgerEntry.objects.filter(job_public_id=job.public_id)
        reserves = [e.amount for e in job_rows if e.kind == "reserve"]
        settlements = [e for e in job_rows if e.kind in ("consume", "release")]
        assert len(settlements) <= 1
        if job.price_credits:
            assert reserves == [job.price_credits]
        else:
            assert not job_rows
        if settlements:
            assert settlements[0].amount == job.price_credits
        ended = job.status in ("succeeded", "failed", "cancelled")
        assert ended == bool(settlements) or not job.price_credits
        assert (job.credits_status == "charged") == any(e.kind == "consume" for e in settlements)
