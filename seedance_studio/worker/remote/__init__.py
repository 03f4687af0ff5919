"""Run one step of a remote provider job. A job's phase (Job.Phase) names its next step; each step ends in
exactly one Job transition (park with the next phase and time, or succeed / fail / set_aside), so any worker
can take the next one:

    phase     step       outcome                                          transition
    SUBMIT    submit     the provider named the task                      park -> FOLLOW
                         no usable answer, or a worker stopped after      park -> CONFIRM
                           sending it (the task may exist)
                         "not now" (429, 402, a documented retry status)  park -> SUBMIT, queued, sent again later
                         refused                                          fail (refused)
    CONFIRM   confirm    not named yet                                    park -> CONFIRM, checked every minute
                         named meanwhile (a callback while parking)       park -> FOLLOW
                         still unnamed at the deadline                    set_aside (credits held)
    FOLLOW    follow     queued or running                                park -> FOLLOW, polls spaced out
                         still running past PROVIDER_FOLLOW_HOURS         park -> OVERDUE, admins alerted
                         succeeded                                        park -> DOWNLOAD
                         failed, or a permanent error reading it          fail
                         could not be read now                            park -> FOLLOW, read again later
    OVERDUE   overdue    queued or running                                park -> OVERDUE, every 10 minutes
                         still running after another period               fail (timed out)
                         succeeded / failed / unreadable                  as in FOLLOW
    DOWNLOAD  download   kept                                             succeed -> DONE (credits consumed)
                         download failed, link still good                 park -> DOWNLOAD, retried
                         cannot be kept (expired, refused, not a video,   set_aside (credits held)
                           failing for DOWNLOAD_HOURS)
                         no video in the result                           fail (no result)

Outside the worker, a verified callback (Job.adopt_task) or an admin (Job.attach_task_by_admin) moves a
CONFIRM job to FOLLOW. The rules that keep money and results safe:
- the create request is sent at most once: `create_sent_at` is stored before it leaves, and a job found with it
  set but no task id is confirmed (waiting for the provider to name the task), never sent again;
- callbacks are hints that bring the next status read forward; what the studio believes comes from the
  provider's API;
- a result is downloaded into studio storage as soon as the task succeeds, and a failed download is retried
  without any new create.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from seedance_studio.alerts.models import AdminAlert
from seedance_studio.alerts.notify import alert_admins
from seedance_studio.provider_api import ENV_VARS, ProviderClient, client_for
from seedance_studio.studio.models import Job

from .following import follow, overdue
from .keeping import download
from .sending import confirm, submit

STEPS: dict[str, Callable[[Job, str, ProviderClient], None]] = {
    Job.Phase.SUBMIT: submit,
    Job.Phase.CONFIRM: confirm,
    Job.Phase.FOLLOW: follow,
    Job.Phase.OVERDUE: overdue,
    Job.Phase.DOWNLOAD: download,
}

# DNS for result downloads; tests point it at a fake resolver (no network here), production leaves it None.
resolver = None


class ProviderNotConfigured(Exception):
    pass


def provider_client(provider_id: str) -> ProviderClient:
    config = settings.PROVIDERS.get(provider_id)
    if config is None:
        raise ProviderNotConfigured(provider_id)
    return client_for(
        provider_id, config, resolve=resolver, max_download_bytes=settings.PROVIDER_RESULT_MAX_MB * 1_000_000
    )


def run_remote_step(job: Job, worker: str) -> None:
    try:
        client = provider_client(job.provider)
    except ProviderNotConfigured:
        _not_configured(job, worker)
        return
    step = STEPS.get(job.phase)
    if step is None:  # DONE: nothing left to do; look again tomorrow rather than spin
        job.park(worker, run_after=timezone.now() + timedelta(days=1))
        return
    step(job, worker, client)


def _not_configured(job: Job, worker: str) -> None:
    name = job.composition.model_label
    if not job.create_sent_at:
        job.fail(
            worker,
            f"{name} is no longer set up in this studio (its API key was removed), so the job was "
            "not sent. Submit it again once an admin restores it.",
            cause=Job.Failure.NOT_CONFIGURED,
        )
        return
    # The provider already has (and charged for) this task: keep the job until the key is back.
    if job.park(
        worker,
        run_after=timezone.now() + timedelta(minutes=5),
        status_note=f"{name} is not set up on this worker (no API key), so the studio cannot check on the "
        "task it already sent. An admin has been told to restore the key; nothing is lost.",
    ):
        alert_admins(
            job,
            AdminAlert.Cause.PROVIDER_KEY_MISSING,
            f"A worker has no API key for {name}, but this job was already sent to it: set the key "
            f"({ENV_VARS[job.provider]['api_key']}) on every worker so the studio can follow the task.",
        )


def step_crashed(job: Job, worker: str) -> None:
    """An unexpected error in a step. Once the create has left, the provider has (and bills) the task, so the job
    is never ended for a studio-side problem: it waits and tries the same step again."""
    if not job.create_sent_at:
        job.retry_or_fail(
            worker, "Something went wrong in the studio before the job was sent. It will be retried automatically."
        )
        return
    delay = min(3600.0, max(60.0, (job.poll_interval or 0) * 2))
    if job.park(
        worker,
        run_after=timezone.now() + timedelta(seconds=delay),
        poll_interval=delay,
        status_note="The studio hit an error while following this job and will try again shortly; an "
        "admin has been alerted. Nothing is lost.",
    ):
        alert_admins(
            job,
            AdminAlert.Cause.STUDIO_ERROR,
            f"The worker hit an unexpected error in the {job.get_phase_display().lower()} step of a job "
            "already sent to the provider; it retries the step with a growing delay. The traceback is in "
            "the worker's log (search for the job id).",
        )
