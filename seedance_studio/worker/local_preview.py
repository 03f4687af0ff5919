"""Run one local-preview job: render the frozen composition with ffmpeg, keep the video and its poster."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.mediatools.frames import extract_poster
from seedance_studio.preview.render import render_preview
from seedance_studio.preview.request import PreviewReference, PreviewRequest
from seedance_studio.studio.models import Job, LeaseLost

log = logging.getLogger(__name__)

POSTER_WIDTH = 960


def preview_request(job: Job) -> PreviewRequest:
    composition = job.composition
    return PreviewRequest(
        prompt=composition.prompt,
        duration=composition.duration,
        aspect_ratio=composition.aspect_ratio,
        resolution=composition.resolution,
        generate_audio=composition.generate_audio,
        references=tuple(
            PreviewReference(kind=reference.kind, path=Path(reference.file.path), duration=reference.duration,
                             has_audio=reference.has_audio)
            for reference in composition.ordered_references()
        ),
    )


def run_local_preview(job: Job, worker: str) -> None:
    lease = settings.WORKER_LEASE_SECONDS

    def on_progress(fraction: float) -> None:
        job.report_progress(worker, fraction, lease_seconds=lease)

    job.mark_running(worker)
    scratch = Path(settings.MEDIA_ROOT) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=scratch) as workdir:
            video_path = Path(workdir) / "preview.mp4"
            result = render_preview(preview_request(job), video_path, on_progress=on_progress,
                                    timeout=settings.FFMPEG_RENDER_TIMEOUT, workdir=Path(workdir))
            poster_path = Path(workdir) / "poster.jpg"
            extract_poster(video_path, poster_path, at_seconds=min(1.0, result.duration / 2), width=POSTER_WIDTH,
                           timeout=settings.FFMPEG_PROBE_TIMEOUT)
            _keep(job, worker, video_path, poster_path, result)
    except LeaseLost:
        log.warning("job %s: no longer ours (cancelled, or taken over by another worker), result discarded",
                    job.public_id)
    except FfmpegError as error:
        log.error("job %s: render failed: %s\n%s", job.public_id, error, error.stderr_tail)
        job.retry_or_fail(worker, "The local preview could not be rendered: ffmpeg failed on this composition. "
                                  "Try again; if it fails again, remove the last reference you added.")


def _keep(job: Job, worker: str, video_path: Path, poster_path: Path, result) -> None:
    with video_path.open("rb") as video, poster_path.open("rb") as poster:
        job.video.save("preview.mp4", File(video), save=False)
        job.poster.save("poster.jpg", File(poster), save=False)
    kept = job.succeed(worker, video=job.video.name, poster=job.poster.name, width=result.width,
                       height=result.height, duration=result.duration)
    if not kept:
        job.video.delete(save=False)
        job.poster.delete(save=False)
        log.warning("job %s: lease lost while saving, result discarded", job.public_id)
