"""FOLLOW and OVERDUE: read the provider's task until it ends; past PROVIDER_FOLLOW_HOURS slowly, for one more
period, before the studio stops waiting."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from seedance_studio.alerts.models import AdminAlert
from seedance_studio.alerts.notify import alert_admins
from seedance_studio.credits.provider_cost import provider_cost_json
from seedance_studio.provider_api import ProviderClient, ProviderError, TaskStatus
from seedance_studio.studio.models import Job

FIRST_POLL_SECONDS = 2.0
SLOW_POLL_SECONDS = 600.0
DOWNLOAD_HOURS = Job.DOWNLOAD_HOURS


def follow(job: Job, worker: str, client: ProviderClient) -> None:
    """FOLLOW: read the task's status, often at first and then less often, for PROVIDER_FOLLOW_HOURS."""
    try:
        status = client.status(job.provider_task_id)
    except ProviderError as error:
        _not_read(job, worker, client, error)
        return
    if status.is_terminal:
        _task_ended(job, worker, client, status)
        return
    now = timezone.now()
    hours = settings.PROVIDER_FOLLOW_HOURS
    if job.follow_deadline and now > job.follow_deadline:
        # Past the follow cap: flag it for an admin, keep checking slowly for one more period.
        if job.park(
            worker,
            phase=Job.Phase.OVERDUE,
            follow_deadline=now + timedelta(hours=hours),
            **_still_running(status, client, now),
        ):
            alert_admins(
                job,
                AdminAlert.Cause.OVERDUE,
                f"{client.name} has not finished task {job.provider_task_id} after {hours} hours. The "
                f"studio keeps checking every 10 minutes for another {hours} hours, then fails it and "
                "releases the credits; check the task on the provider's dashboard.",
            )
        return
    interval = next_interval(job)
    job.park(
        worker, poll_interval=interval, run_after=now + timedelta(seconds=interval), status_note="", **_progress(status)
    )


def overdue(job: Job, worker: str, client: ProviderClient) -> None:
    """OVERDUE: followed past PROVIDER_FOLLOW_HOURS; read every 10 minutes for one more period, then failed."""
    try:
        status = client.status(job.provider_task_id)
    except ProviderError as error:
        _not_read(job, worker, client, error)
        return
    if status.is_terminal:
        _task_ended(job, worker, client, status)
        return
    now = timezone.now()
    if job.follow_deadline and now > job.follow_deadline:
        job.fail(
            worker,
            f"{client.name} did not finish this video within {2 * settings.PROVIDER_FOLLOW_HOURS} "
            "hours. The studio stopped waiting.",
            cause=Job.Failure.TIMED_OUT,
        )
        return
    job.park(worker, **_still_running(status, client, now))


def next_interval(job: Job) -> float:
    """Seconds at first, growing by half each time, up to PROVIDER_POLL_MAX_SECONDS."""
    return min(float(settings.PROVIDER_POLL_MAX_SECONDS), max(FIRST_POLL_SECONDS, (job.poll_interval or 0) * 1.5))


def _not_read(job: Job, worker: str, client: ProviderClient, error: ProviderError) -> None:
    """The status read failed: a permanent error ends the job, anything else is read again later."""
    if error.permanent:
        job.fail(worker, f"{client.name} could not report on this job: {error.provider_message or error.message}")
        return
    delay = max(error.retry_after or 0, next_interval(job))
    job.park(
        worker,
        run_after=timezone.now() + timedelta(seconds=delay),
        poll_interval=delay,
        status_note=f"Could not reach {client.name} just now; checking again in {delay:.0f} s.",
    )


def _task_ended(job: Job, worker: str, client: ProviderClient, status: TaskStatus) -> None:
    """Succeeded: keep the result next (DOWNLOAD). Failed: the job fails, in words, moderation said as such."""
    if status.state == "succeeded":
        now = timezone.now()
        outputs = [
            {"url": o.url, "kind": o.kind, "expires_at": o.expires_at.isoformat() if o.expires_at else None}
            for o in status.outputs
        ]
        job.park(
            worker,
            phase=Job.Phase.DOWNLOAD,
            status=Job.Status.RUNNING,
            result_outputs=outputs,
            provider_cost=provider_cost_json(status.reported_cost),
            run_after=now,
            follow_deadline=now + timedelta(hours=DOWNLOAD_HOURS),
            status_note=f"{client.name} finished; keeping the video in the studio.",
        )
        return
    if status.moderation:
        message = (
            f"{client.name} refused this video on content grounds (moderation): "
            f"{status.error or 'no reason given'}. Change the prompt or references and submit again."
        )
        penalty = getattr(client.wire, "MODERATION_PENALTY", "")  # GoAPI's, 001:345
        if penalty:
            message += f" {penalty}: do not send it again unchanged."
    else:
        message = f"{client.name} could not make this video: {status.error or 'no reason given'}."
    job.fail(worker, message, moderation=status.moderation)


def _progress(status: TaskStatus) -> dict:
    """What a status read tells the gallery card: queued or rendering, the provider's progress and estimate."""
    fields = dict(
        status=Job.Status.RUNNING if status.state == "running" else Job.Status.QUEUED,
        has_progress=status.progress is not None,
        provider_eta_seconds=status.eta_seconds,
    )
    if status.progress is not None:
        fields["progress"] = status.progress
    return fields


def _still_running(status: TaskStatus, client: ProviderClient, now) -> dict:
    """The park fields of an overdue job still running: read again in 10 minutes, the admin flag in words."""
    return dict(
        poll_interval=SLOW_POLL_SECONDS,
        run_after=now + timedelta(seconds=SLOW_POLL_SECONDS),
        status_note=f"Still not finished after {settings.PROVIDER_FOLLOW_HOURS} h at {client.name}: the "
        "studio keeps checking every 10 minutes and the job is flagged for an admin.",
        **_progress(status),
    )
