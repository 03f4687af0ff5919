"""DOWNLOAD: keep the provider's result in studio storage, or hand the job to an admin when it cannot be kept
(the provider finished, and billed, the video: it is never dropped)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.mediatools.frames import extract_last_frame
from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import MediaRefused, sniff
from seedance_studio.provider_api import ProviderClient, ProviderError, ResultLinkExpired, UnsafeResultLink
from seedance_studio.storage import scratch_directory
from seedance_studio.studio.models import Job
from seedance_studio.worker.results import keep_result, make_poster

from .following import DOWNLOAD_HOURS, next_interval

log = logging.getLogger(__name__)


def download(job: Job, worker: str, client: ProviderClient) -> None:
    """DOWNLOAD: fetch the video (and HiAPI's own frames), check it plays, keep it with its poster and frames."""
    now = timezone.now()
    outputs = job.result_outputs or []
    video = next((o for o in outputs if o.get("kind") == "video"), None)
    if video is None:
        job.fail(worker, f"{client.name} reported the job finished but returned no video.", cause=Job.Failure.NO_RESULT)
        return
    with scratch_directory() as workdir:
        try:
            downloaded = client.download(video["url"], workdir / "result.mp4")
            detected = sniff(downloaded.path)
            if detected.kind != "video":
                raise MediaRefused(f"it is {detected.kind} ({detected.format}), not a video")
            facts = probe_media(
                downloaded.path,
                detected,
                timeout=settings.FFMPEG_PROBE_TIMEOUT,
                max_seconds=settings.UPLOAD_MAX_MEDIA_SECONDS,
            )
            if facts.video is None:
                raise MediaRefused("it has no video stream")
            poster = make_poster(downloaded.path, workdir, facts.duration)
            last_frame = _provider_frame(client, outputs, "last_frame", workdir) or extract_last_frame(
                downloaded.path, workdir / "last-frame.png", timeout=settings.FFMPEG_PROBE_TIMEOUT
            )
            first_frame = _provider_frame(client, outputs, "first_frame", workdir)
        except ResultLinkExpired as expired:
            _not_kept(job, worker, client, "its link to the video had expired", expired.message)
            return
        except UnsafeResultLink as refused:
            _not_kept(job, worker, client, "the studio refused to fetch it", refused.message)
            return
        except ProviderError as error:
            if job.follow_deadline and now > job.follow_deadline:
                _not_kept(job, worker, client, f"the download kept failing for {DOWNLOAD_HOURS} hours", error.message)
                return
            expires = _earliest_expiry(outputs)
            if expires and expires < now:
                _not_kept(job, worker, client, "its link to the video had expired", error.message)
                return
            delay = max(error.retry_after or 0, next_interval(job))
            job.park(
                worker,
                run_after=now + timedelta(seconds=delay),
                poll_interval=delay,
                status_note=f"Downloading the result failed ({error.message}); trying again in {delay:.0f} s.",
            )
            return
        except (MediaRefused, FfmpegError) as bad:
            reason = bad.message if isinstance(bad, MediaRefused) else "it could not be read"
            _not_kept(
                job,
                worker,
                client,
                "the file is not a playable video",
                f"{client.name} returned a file that is not a playable video: {reason}",
            )
            return
        files = {
            "video": ("result.mp4", downloaded.path),
            "poster": ("poster.jpg", poster),
            "last_frame": ("last-frame" + last_frame.suffix, last_frame),
        }
        if first_frame is not None:
            files["first_frame"] = ("first-frame" + first_frame.suffix, first_frame)
        keep_result(
            job,
            worker,
            files,
            width=facts.video.display_width,
            height=facts.video.display_height,
            duration=facts.duration,
        )


def _not_kept(job: Job, worker: str, client: ProviderClient, what: str, error: str) -> None:
    """The provider finished (and billed) the video but the studio could not keep it: never drop it. The job
    keeps the provider's output links and the error and is set aside; an admin fixes the cause (an allow-list,
    a proxy, a fresh link from the provider) and retries the download with "Resume", or closes it."""
    log.warning("job %s: result not kept: %s", job.public_id, error)
    job.set_aside(
        worker,
        f"{client.name} finished this video, but the studio could not keep it: {what}. It is set "
        "aside for an admin, who has been told; your credits are held, not spent, until it is "
        "settled.",
        error=error,
    )


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
    return min((t if t.tzinfo else t.replace(tzinfo=UTC) for t in times), default=None)
