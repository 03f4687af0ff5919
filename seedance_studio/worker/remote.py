"""Run one step of a remote provider job: submit, reconcile, follow, or keep the result.

Each step is idempotent and ends by parking the job (lease released, next step time set), so any worker can
take the next one. The rules that keep money and results safe:
- the create request is sent at most once: `create_sent_at` is stored before it leaves, and a job found with it
  set but no task id is reconciled (waiting for the provider to name the task), never sent again;
- callbacks are hints that bring the next status read forward; what the studio believes comes from the
  provider's API;
- a result is downloaded into studio storage as soon as the task succeeds, and a failed download is retried
  without any new create.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import tempfile
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.urls import reverse
from django.utils import timezone

from seedance_studio.alerts.models import AdminAlert
from seedance_studio.alerts.notify import alert_admins
from seedance_studio.credits.provider_cost import provider_cost_json
from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.mediatools.frames import extract_last_frame, extract_poster
from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import MediaRefused, sniff
from seedance_studio.providers import (OutcomeUnknown, ProviderClient, ProviderError, ResultLinkExpired,
                                       UnsafeResultLink, client_for)
from seedance_studio.studio.availability import is_public_url
from seedance_studio.studio.models import Job

log = logging.getLogger(__name__)

# DNS for result downloads; tests point it at a fake resolver (no network here), production leaves it None.
resolver = None

FIRST_POLL_SECONDS = 2.0
RECONCILE_WAIT_SECONDS = 60.0
SLOW_POLL_SECONDS = 600.0
DOWNLOAD_HOURS = 2  # how long a result download keeps being retried (provider links rarely live longer)


class ProviderNotConfigured(Exception):
    pass


def provider_client(provider_id: str) -> ProviderClient:
    config = settings.PROVIDERS.get(provider_id)
    if config is None:
        raise ProviderNotConfigured(provider_id)
    return client_for(provider_id, config, resolve=resolver,
                      max_download_bytes=settings.PROVIDER_RESULT_MAX_MB * 1_000_000)


def callback_secret(job: Job) -> str:
    """PiAPI/GoAPI echo this in `x-webhook-secret`: the account's secret if set, else one per job."""
    config = settings.PROVIDERS.get(job.provider)
    if config is not None and config.webhook_secret:
        return config.webhook_secret
    return hmac.new(settings.SECRET_KEY.encode(), f"webhook:{job.public_id}".encode(), hashlib.sha256).hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def step_crashed(job: Job, worker: str) -> None:
    """An unexpected error in a step. Once the create has left, the provider has (and bills) the task, so the job
    is never ended for a studio-side problem: it waits and tries the same step again."""
    if not job.create_sent_at:
        job.retry_or_fail(worker, "Something went wrong in the studio before the job was sent. It will be "
                                         "retried automatically.")
        return
    delay = min(3600.0, max(60.0, (job.poll_interval or 0) * 2))
    if job.park(worker, run_after=_now() + timedelta(seconds=delay), poll_interval=delay,
                status_note="The studio hit an error while following this job and will try again shortly; an "
                            "admin has been alerted. Nothing is lost."):
        alert_admins(job, AdminAlert.Cause.STUDIO_ERROR,
                     f"The worker hit an unexpected error in the {job.get_phase_display().lower()} step of a job "
                     "already sent to the provider; it retries the step with a growing delay. The traceback is in "
                     "the worker's log (search for the job id).")


def run_remote_step(job: Job, worker: str) -> None:
    try:
        client = provider_client(job.provider)
    except ProviderNotConfigured:
        name = job.composition.model_label
        if not job.create_sent_at:
            job.fail(worker, f"{name} is no longer set up in this studio (its API key was removed), so the "
                             "job was not sent. Submit it again once an admin restores it.",
                     cause=Job.Failure.NOT_CONFIGURED)
            return
        # The provider already has (and charged for) this task: keep the job until the key is back.
        if job.park(worker, run_after=_now() + timedelta(minutes=5),
                    status_note=f"{name} is not set up on this worker (no API key), so the studio cannot check on "
                                "the task it already sent. An admin has been told to restore the key; nothing is "
                                "lost."):
            alert_admins(job, AdminAlert.Cause.PROVIDER_KEY_MISSING,
                         f"A worker has no API key for {name}, but this job was already sent to it: set the key "
                         f"({job.provider.upper()}_API_KEY) on every worker so the studio can follow the task.")
        return
    step = {Job.Phase.SUBMIT: _submit, Job.Phase.RECONCILE: _reconcile, Job.Phase.FOLLOW: _follow,
            Job.Phase.DOWNLOAD: _download}.get(job.phase)
    if step is None:
        job.park(worker, run_after=timezone.now() + timedelta(days=1))
        return
    step(job, worker, client)


def _now() -> datetime:
    return timezone.now()


def _submit(job: Job, worker: str, client: ProviderClient) -> None:
    now = _now()
    if job.create_sent_at and not job.provider_task_id:
        # A worker sent the create and stopped before it stored the answer: the task may exist. Never resend.
        job.park(worker, phase=Job.Phase.RECONCILE, run_after=now + timedelta(seconds=RECONCILE_WAIT_SECONDS),
                   follow_deadline=job.follow_deadline or now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS),
                   status_note=_unknown_note(client.name))
        return
    token = secrets.token_urlsafe(32)
    callback_url = _callback_url(job, client, token)
    if not job.mark_create_sent(worker, callback_token_hash=hash_token(token)):
        return  # another worker holds it now, or already sent it
    try:
        task_id = client.create(job.request_body, callback_url=callback_url, callback_secret=callback_secret(job))
    except OutcomeUnknown as unknown:
        log.warning("job %s: create outcome unknown: %s", job.public_id, unknown)
        # poll_interval=0: a wait grown by earlier "try again" answers must not slow the first status reads.
        job.park(worker, phase=Job.Phase.RECONCILE, run_after=now + timedelta(seconds=RECONCILE_WAIT_SECONDS),
                   follow_deadline=now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS), poll_interval=0.0,
                   status_note=_unknown_note(client.name))
        return
    except ProviderError as error:
        if error.permanent:
            job.fail(worker, f"{client.name} refused this job: {error.provider_message or error.message}",
                     cause=Job.Failure.REFUSED)
            return
        # A definite "not now" (429, 402, a status the provider documents as "try again", a connection that never
        # opened): nothing was created, so send it again later, with a new callback token. The wait doubles with
        # each such answer, 15 s up to 5 min, and never undercuts a Retry-After; it is kept in poll_interval
        # because park() resets `attempts`.
        delay = max(error.retry_after or 0.0, min(300.0, max(15.0, (job.poll_interval or 0) * 2)))
        parked = job.park(worker, create_sent_at=None, status=Job.Status.QUEUED, poll_interval=delay,
                          run_after=now + timedelta(seconds=delay), status_note=_waiting_note(client.name, error, delay))
        if parked and error.status == 402:  # the note says an admin was asked to top the account up: ask them
            alert_admins(job, AdminAlert.Cause.PROVIDER_OUT_OF_CREDITS,
                         f"{client.name} says the studio's account is out of credits ({error.message}). Jobs for "
                         f"{client.name} wait, queued, until it is topped up; they are sent automatically then.")
        return
    log.info("job %s: created %s task %s", job.public_id, job.provider, task_id)
    # Stored first and whatever happened to our lease meanwhile: the task exists and is paid for, so its id must
    # never be lost (the unique constraint keeps one task from being bound to two jobs).
    if not job.adopt_task(task_id):
        job.park(worker, phase=Job.Phase.RECONCILE, run_after=now + timedelta(seconds=RECONCILE_WAIT_SECONDS),
                   follow_deadline=now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS),
                   status_note=f"{client.name} answered with a task id the studio cannot use; an admin must "
                               "reconcile this job.")
        return
    job.park(worker, phase=Job.Phase.FOLLOW, status=Job.Status.QUEUED,
               poll_interval=FIRST_POLL_SECONDS, run_after=now + timedelta(seconds=FIRST_POLL_SECONDS),
               follow_deadline=now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS), status_note="")


def _callback_url(job: Job, client: ProviderClient, token: str) -> str | None:
    """This job's callback URL, or None when the provider could not call it (then polling alone follows it).

    Checked by building the request without sending it: a provider that refuses the URL (EvoLink and HiAPI want
    https) raises ValueError here, long before anything leaves.
    """
    if not is_public_url(settings.PUBLIC_BASE_URL) and is_public_url(client.config.base_url):
        return None
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("provider_callback", args=[job.provider, token])
    try:
        client.wire.build_create(job.request_body, client.config, url, callback_secret(job))
    except ValueError:
        return None
    return url


def _unknown_note(name: str) -> str:
    return (f"{name} did not answer when the studio sent this job, so it is not yet known whether the task was "
            f"created. The studio never sends a job twice: it is waiting for {name} to report the task.")


def _waiting_note(name: str, error: ProviderError, delay: float) -> str:
    if error.status == 429:
        return f"Waiting for a free slot at {name} (it limits how many videos run at once). It will be sent automatically."
    if error.status == 402:
        return f"{name} says the studio's account is out of credits. An admin has been asked to top it up; the job will be sent then."
    if error.status is not None and error.status >= 500:  # a status its document says means "try again later"
        return (f"{name} was busy and asked the studio to try again later (HTTP {error.status}); nothing was created "
                f"there. The job is sent again in {delay:.0f} s.")
    return f"Could not reach {name} ({error.message}). Trying again in {delay:.0f} s."


def _reconcile(job: Job, worker: str, client: ProviderClient) -> None:
    now = _now()
    if job.provider_task_id:  # a callback or an admin named the task, or it outlived the follow cap: read it
        _follow(job, worker, client)
        return
    if job.follow_deadline and now > job.follow_deadline:
        # The provider may have made (and billed) the task: an admin settles it, the credits stay held till then.
        job.set_aside(worker, f"{client.name} never confirmed this job after the studio's request went "
                              "unanswered. It is set aside for an admin, who can attach the task from the provider's "
                              "dashboard or close it; your credits are held, not spent, until then.")
        return
    job.park(worker, run_after=now + timedelta(seconds=RECONCILE_WAIT_SECONDS))


def _follow(job: Job, worker: str, client: ProviderClient) -> None:
    now = _now()
    try:
        status = client.status(job.provider_task_id)
    except ProviderError as error:
        if error.permanent:
            job.fail(worker, f"{client.name} could not report on this job: "
                                    f"{error.provider_message or error.message}")
            return
        delay = max(error.retry_after or 0, _next_interval(job))
        job.park(worker, run_after=now + timedelta(seconds=delay), poll_interval=delay,
                   status_note=f"Could not reach {client.name} just now; checking again in {delay:.0f} s.")
        return
    if status.state == "succeeded":
        outputs = [{"url": o.url, "kind": o.kind, "expires_at": o.expires_at.isoformat() if o.expires_at else None}
                   for o in status.outputs]
        job.park(worker, phase=Job.Phase.DOWNLOAD, status=Job.Status.RUNNING, result_outputs=outputs,
                 provider_cost=provider_cost_json(status.reported_cost),
                   run_after=now, follow_deadline=now + timedelta(hours=DOWNLOAD_HOURS),
                   status_note=f"{client.name} finished; keeping the video in the studio.")
        return
    if status.state == "failed":
        if status.moderation:
            message = (f"{client.name} refused this video on content grounds (moderation): "
                       f"{status.error or 'no reason given'}. Change the prompt or references and submit again.")
            penalty = getattr(client.wire, "MODERATION_PENALTY", "")  # GoAPI's, 001:345
            if penalty:
                message += f" {penalty}: do not send it again unchanged."
        else:
            message = f"{client.name} could not make this video: {status.error or 'no reason given'}."
        job.fail(worker, message, moderation=status.moderation)
        return
    interval = _next_interval(job)
    phase, deadline, note = job.phase, job.follow_deadline, ""
    if deadline is not None and now > deadline:
        if job.phase == Job.Phase.RECONCILE:  # the grace period is over too: end it, readably
            job.fail(worker, f"{client.name} did not finish this video within "
                             f"{2 * settings.PROVIDER_FOLLOW_HOURS} hours. The studio stopped waiting.",
                     cause=Job.Failure.TIMED_OUT)
            return
        # Past the follow cap: flag it for an admin, keep checking slowly for one more period.
        phase, deadline = Job.Phase.RECONCILE, now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS)
        alert_admins(job, AdminAlert.Cause.OVERDUE,
                     f"{client.name} has not finished task {job.provider_task_id} after "
                     f"{settings.PROVIDER_FOLLOW_HOURS} hours. The studio keeps checking every 10 minutes for "
                     f"another {settings.PROVIDER_FOLLOW_HOURS} hours, then fails it and releases the credits; check "
                     "the task on the provider's dashboard.")
    if phase == Job.Phase.RECONCILE:
        interval = SLOW_POLL_SECONDS
        note = (f"Still not finished after {settings.PROVIDER_FOLLOW_HOURS} h at {client.name}: the studio keeps "
                "checking every 10 minutes and the job is flagged for an admin.")
    fields = dict(status=Job.Status.RUNNING if status.state == "running" else Job.Status.QUEUED,
                  has_progress=status.progress is not None, provider_eta_seconds=status.eta_seconds,
                  poll_interval=interval, run_after=now + timedelta(seconds=interval), follow_deadline=deadline,
                  status_note=note)
    if status.progress is not None:
        fields["progress"] = status.progress
    job.park(worker, phase=phase, **fields)


def _next_interval(job: Job) -> float:
    """Seconds at first, growing by half each time, up to PROVIDER_POLL_MAX_SECONDS."""
    return min(float(settings.PROVIDER_POLL_MAX_SECONDS), max(FIRST_POLL_SECONDS, (job.poll_interval or 0) * 1.5))


def _download(job: Job, worker: str, client: ProviderClient) -> None:
    now = _now()
    outputs = job.result_outputs or []
    video = next((o for o in outputs if o.get("kind") == "video"), None)
    if video is None:
        job.fail(worker, f"{client.name} reported the job finished but returned no video.",
                 cause=Job.Failure.NO_RESULT)
        return
    with tempfile.TemporaryDirectory(dir=_scratch()) as workdir:
        workdir = Path(workdir)
        try:
            downloaded = client.download(video["url"], workdir / "result.mp4")
            detected = sniff(downloaded.path)
            if detected.kind != "video":
                raise MediaRefused(f"it is {detected.kind} ({detected.format}), not a video")
            facts = probe_media(downloaded.path, detected, timeout=settings.FFMPEG_PROBE_TIMEOUT,
                                max_seconds=settings.UPLOAD_MAX_MEDIA_SECONDS)
            if facts.video is None:
                raise MediaRefused("it has no video stream")
            poster = extract_poster(downloaded.path, workdir / "poster.jpg", at_seconds=min(1.0, facts.duration / 2),
                                    width=960, timeout=settings.FFMPEG_PROBE_TIMEOUT)
            last_frame = _provider_frame(client, outputs, "last_frame", workdir) or extract_last_frame(
                downloaded.path, workdir / "last-frame.png", timeout=settings.FFMPEG_PROBE_TIMEOUT)
            first_frame = _provider_frame(client, outputs, "first_frame", workdir)
        except ResultLinkExpired as expired:
            _not_kept(job, worker, client, "its link to the video had expired", expired.message)
            return
        except UnsafeResultLink as refused:
            _not_kept(job, worker, client, "the studio refused to fetch it", refused.message)
            return
        except ProviderError as error:
            delay = max(error.retry_after or 0, _next_interval(job))
            expires = _earliest_expiry(outputs)
            if job.follow_deadline and now > job.follow_deadline:
                _not_kept(job, worker, client, f"the download kept failing for {DOWNLOAD_HOURS} hours", error.message)
                return
            if expires and expires < now:
                _not_kept(job, worker, client, "its link to the video had expired", error.message)
                return
            job.park(worker, run_after=now + timedelta(seconds=delay), poll_interval=delay,
                     status_note=f"Downloading the result failed ({error.message}); trying again in {delay:.0f} s.")
            return
        except (MediaRefused, FfmpegError) as bad:
            reason = bad.message if isinstance(bad, MediaRefused) else "it could not be read"
            _not_kept(job, worker, client, "the file is not a playable video",
                      f"{client.name} returned a file that is not a playable video: {reason}")
            return
        _keep(job, worker, downloaded.path, poster, last_frame, first_frame, facts)


def _not_kept(job: Job, worker: str, client: ProviderClient, what: str, error: str) -> None:
    """The provider finished (and billed) the video but the studio could not keep it: never drop it. The job
    keeps the provider's output links and the error and is set aside; an admin fixes the cause (an allow-list,
    a proxy, a fresh link from the provider) and retries the download with "Resume", or closes it."""
    log.warning("job %s: result not kept: %s", job.public_id, error)
    job.set_aside(worker, f"{client.name} finished this video, but the studio could not keep it: {what}. It is set "
                          "aside for an admin, who has been told; your credits are held, not spent, until it is "
                          "settled.", error=error)


def _provider_frame(client: ProviderClient, outputs, kind: str, workdir: Path) -> Path | None:
    """HiAPI returns its own first and last frames when asked (return_last_frame): keep those, they are exact."""
    frame = next((o for o in outputs if o.get("kind") == kind), None)
    if frame is None:
        return None
    try:
        downloaded = client.download(frame["url"], workdir / f"provider-{kind}")
        sniffed = sniff(downloaded.path)
    except (ProviderError, MediaRefused):
        return None
    if sniffed.kind != "image":
        return None
    return downloaded.path.rename(downloaded.path.with_suffix(sniffed.extension))


def _earliest_expiry(outputs) -> datetime | None:
    times = [datetime.fromisoformat(o["expires_at"]) for o in outputs if o.get("expires_at")]
    return min((t if t.tzinfo else t.replace(tzinfo=dt_timezone.utc) for t in times), default=None)


def _keep(job: Job, worker: str, video_path: Path, poster_path: Path, last_frame_path: Path,
          first_frame_path: Path | None, facts) -> None:
    files = [(job.video, "result.mp4", video_path), (job.poster, "poster.jpg", poster_path),
             (job.last_frame, "last-frame" + last_frame_path.suffix, last_frame_path)]
    if first_frame_path is not None:
        files.append((job.first_frame, "first-frame" + first_frame_path.suffix, first_frame_path))
    for field_file, name, path in files:
        with path.open("rb") as handle:
            field_file.save(name, File(handle), save=False)
    kept = False
    try:
        kept = job.succeed(worker, width=facts.video.display_width, height=facts.video.display_height,
                           duration=facts.duration,
                           **{field_file.field.name: field_file.name for field_file, _, _ in files})
    finally:
        if not kept:  # lost the lease, or the database failed: keep no orphaned files
            for field_file, _, _ in files:
                field_file.delete(save=False)


def _scratch() -> Path:
    path = Path(settings.MEDIA_ROOT) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path
