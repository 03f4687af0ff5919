"""Run one local-preview job: render the frozen composition with ffmpeg, keep the video and its poster."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.mediatools.frames import extract_last_frame, extract_poster
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
            for reference in sorted(composition.ordered_references(), key=_frame_order)
        ),
    )


def _frame_order(reference) -> int:
    """The preview plays its pictures in order: an image pinned to the first frame opens it, one pinned to the
    last frame ends it, the rest keep the creative's order between them (sorted() is stable)."""
    return {"first": 0, "last": 2}.get(getattr(reference, "frame", ""), 1)


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
            # Kept for every result, previews included: "continue from the last frame" starts the next shot here.
            last_frame_path = extract_last_frame(video_path, Path(workdir) / "last-frame.png",
                                                 timeout=settings.FFMPEG_PROBE_TIMEOUT)
            _keep(job, worker, video_path, poster_path, last_frame_path, result)
    except LeaseLost:
        log.warning("job %s: no longer ours (cancelled, or taken over by another worker), result discarded",
                    job.public_id)
    except FfmpegError as error:
        log.error("job %s: render failed: %s\n%s", job.public_id, error, error.stderr_tail)
        job.retry_or_fail(worker, "The local preview could not be rendered: ffmpeg failed on this composition. "
                                  "Try again; if it fails again, remove the last reference you added.")


def _keep(job: Job, worker: str, video_path: Path, poster_path: Path, last_frame_path: Path, result) -> None:
    files = [(job.video, "preview.mp4", video_path), (job.poster, "poster.jpg", poster_path),
             (job.last_frame, "last-frame.png", last_frame_path)]
    for field_file, name, path in files:
        with path.open("rb") as handle:
            field_file.save(name, File(handle), save=False)
    kept = False
    try:
        kept = job.succeed(worker, width=result.width, height=result.height, duration=result.duration,
                           **{field_file.field.name: field_file.name for field_file, _, _ in files})
    finally:
        if not kept:  # lost the job (cancelled, taken over) or the database failed: keep no orphaned files
            for field_file, _, _ in files:
                field_file.delete(save=False)
            log.warning("job %s: not kept (no longer ours, or saving failed), result discarded", job.public_id)
