"""The job queue lives in the database: claiming is a conditional UPDATE, so any number of workers on SQLite
or PostgreSQL can poll the same table and each job is held by exactly one of them at a time.

A held job carries a lease (`lease_owner`, `lease_expires_at`) that its worker keeps renewing. A worker that
dies (SIGKILL, power loss) stops renewing; when the lease runs out the job is due again and another worker
takes it over. Attempts are counted so a job that kills its workers is failed instead of looping forever.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from seedance_studio.studio.models import Job

CANDIDATES_PER_CLAIM = 10


class LeaseLost(Exception):
    """Another worker took this job over (our lease ran out): stop working on it and keep nothing."""


def claim_next(worker: str, *, lease_seconds: int, remote: bool | None = None) -> Job | None:
    """Claim the oldest due job (only provider jobs with remote=True, only local renders with remote=False)."""
    now = timezone.now()
    due = Job.objects.due(now)
    if remote is not None:
        due = due.exclude(provider="local_preview") if remote else due.filter(provider="local_preview")
    candidates = due.order_by("created_at", "pk").values_list("pk", "status", "lease_owner", "attempts")
    for pk, status, previous_owner, attempts in candidates[:CANDIDATES_PER_CLAIM]:
        # The filter repeats what we saw: if another worker claimed or changed the row since, we update nothing.
        seen = Job.objects.due(now).filter(pk=pk, status=status, lease_owner=previous_owner, attempts=attempts)
        if attempts >= settings.WORKER_MAX_ATTEMPTS:
            _give_up_on_interrupted(seen, attempts, now)
            continue
        claimed = seen.update(
            lease_owner=worker,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        if claimed:
            return Job.objects.select_related("composition").get(pk=pk)
    return None


def _give_up_on_interrupted(seen, attempts: int, now) -> None:
    """A step that keeps killing its worker. A job whose create has left is never ended for that (the provider has
    the task): it is set aside for an hour and flagged. Anything else fails with a readable reason."""
    seen.filter(create_sent_at__isnull=False).update(
        attempts=0, lease_owner="", lease_expires_at=None, run_after=now + timedelta(hours=1), updated_at=now,
        status_note="The worker stopped several times while handling this job; it is set aside for an hour and "
                    "flagged for an admin. Nothing is lost.")
    seen.filter(create_sent_at__isnull=True).update(
        status=Job.Status.FAILED, phase=Job.Phase.DONE, finished_at=now, updated_at=now, lease_owner="",
        lease_expires_at=None, error_message=f"The job was interrupted {attempts} times (the worker stopped while "
                                             "working on it). Submit it again.")


def adopt_task(job: Job, task_id: str) -> bool:
    """Bind the provider's task to the job, whoever holds the lease: once the provider has a task, its id is the
    one thing that must not be lost. False when it is unusable or already bound (to this or another job)."""
    if not task_id or len(task_id) > 200:
        return False
    try:
        with transaction.atomic():
            return bool(Job.objects.filter(pk=job.pk, provider_task_id="").update(
                provider_task_id=task_id, phase=Job.Phase.FOLLOW, updated_at=timezone.now()))
    except IntegrityError:
        return False


def mark_running(job: Job, worker: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk, lease_owner=worker).update(status=Job.Status.RUNNING, updated_at=now,
                                                             started_at=Coalesce(F("started_at"), now))


def renew_leases(worker: str, job_ids, *, lease_seconds: int) -> None:
    if job_ids:
        Job.objects.filter(pk__in=list(job_ids), lease_owner=worker).update(
            lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds))


def report_progress(job: Job, worker: str, fraction: float, *, lease_seconds: int) -> None:
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, lease_owner=worker).update(
        progress=max(0.0, min(1.0, fraction)), lease_expires_at=now + timedelta(seconds=lease_seconds),
        updated_at=now)
    if not updated:
        raise LeaseLost(job.public_id)


def finish(job: Job, worker: str, **fields) -> bool:
    """Mark the job succeeded with `fields`; False when the lease was lost (the caller discards its files)."""
    now = timezone.now()
    return bool(Job.objects.filter(pk=job.pk, lease_owner=worker).update(
        status=Job.Status.SUCCEEDED, progress=1.0, finished_at=now, updated_at=now, lease_owner="",
        lease_expires_at=None, error_message="", **fields))


def fail_or_retry(job: Job, worker: str, message: str, *, retryable: bool) -> None:
    now = timezone.now()
    held = Job.objects.filter(pk=job.pk, lease_owner=worker)
    attempts = held.values_list("attempts", flat=True).first()
    if attempts is None:
        return
    if retryable and attempts < settings.WORKER_MAX_ATTEMPTS:
        held.update(status=Job.Status.QUEUED, lease_owner="", lease_expires_at=None, updated_at=now,
                    run_after=now + timedelta(seconds=10 * attempts), progress=0.0, error_message=message)
    else:
        held.update(status=Job.Status.FAILED, lease_owner="", lease_expires_at=None, updated_at=now,
                    finished_at=now, error_message=message)


def park(job: Job, worker: str, *, run_after, **fields) -> bool:
    """End a step: store what it learned, release the lease, and say when the next step is due.

    A completed step resets the attempt count: attempts only count steps that a dying worker left unfinished.
    """
    now = timezone.now()
    if "status_note" in fields:
        fields["status_note"] = fields["status_note"][:300]
    return bool(Job.objects.filter(pk=job.pk, lease_owner=worker).update(
        run_after=run_after, lease_owner="", lease_expires_at=None, attempts=0, updated_at=now, **fields))


def fail(job: Job, worker: str, message: str, **fields) -> bool:
    now = timezone.now()
    fields.setdefault("status_note", "")
    return bool(Job.objects.filter(pk=job.pk, lease_owner=worker).update(
        status=Job.Status.FAILED, phase=Job.Phase.DONE, error_message=message, finished_at=now,
        updated_at=now, lease_owner="", lease_expires_at=None, **fields))


def mark_create_sent(job: Job, worker: str, **fields) -> bool:
    """Record that the create request is about to leave; False if it already did (then it must not again)."""
    return bool(Job.objects.filter(pk=job.pk, lease_owner=worker, create_sent_at__isnull=True).update(
        create_sent_at=timezone.now(), **fields))
