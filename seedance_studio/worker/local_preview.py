"""Run one local-preview job: render the frozen composition with ffmpeg, keep the video and its poster."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.preview.render import render_preview
from seedance_studio.preview.request import PreviewReference, PreviewRequest
from seedance_studio.seedance.specs.local_preview import preview_order
from seedance_studio.storage import copy_to_scratch, scratch_directory
from seedance_studio.studio.evaluation import core_references
from seedance_studio.studio.models import Job, LeaseLost
from seedance_studio.worker.results import keep_rendered

log = logging.getLogger(__name__)


def preview_request(job: Job, workdir: Path) -> PreviewRequest:
    """The render of the job's frozen composition, its references in the order the core says the preview plays
    them (the prompt's shot order, frame pins first and last), each copied into `workdir` (ffmpeg reads local
    files; the storage may be a bucket on another machine)."""
    composition = job.composition
    references = composition.ordered_references()
    by_id = {str(reference.public_id): reference for reference in references}
    played = [by_id[ref_id] for ref_id in preview_order(composition.prompt, core_references(references))]
    copies = workdir / "references"
    copies.mkdir(exist_ok=True)
    return PreviewRequest(
        prompt=composition.prompt,
        duration=composition.duration,
        aspect_ratio=composition.aspect_ratio,
        resolution=composition.resolution,
        generate_audio=composition.generate_audio,
        references=tuple(
            PreviewReference(
                kind=reference.kind,
                path=copy_to_scratch(reference.file, copies / Path(str(reference.file.name)).name),
                duration=reference.duration,
                has_audio=reference.has_audio,
            )
            for reference in played
        ),
    )


def run_local_preview(job: Job, worker: str) -> None:
    lease = settings.WORKER_LEASE_SECONDS

    def on_progress(fraction: float) -> None:
        job.report_progress(worker, fraction, lease_seconds=lease)

    job.mark_running(worker)
    try:
        with scratch_directory() as workdir:
            video_path = workdir / "preview.mp4"
            result = render_preview(
                preview_request(job, workdir),
                video_path,
                on_progress=on_progress,
                timeout=settings.FFMPEG_RENDER_TIMEOUT,
                workdir=workdir,
            )
            keep_rendered(
                job,
                worker,
                video_path,
                "preview.mp4",
                workdir,
                width=result.width,
                height=result.height,
                duration=result.duration,
            )
    except LeaseLost:
        log.warning(
            "job %s: no longer ours (cancelled, or taken over by another worker), result discarded", job.public_id
        )
    except FfmpegError as error:
        log.error("job %s: render failed: %s\n%s", job.public_id, error, error.stderr_tail)
        job.retry_or_fail(
            worker,
            "The local preview could not be rendered: ffmpeg failed on this composition. "
            "Try again; if it fails again, remove the last reference you added.",
        )
