"""Run one chain export: copy each shot's kept video into scratch space (through the storage API, whatever
the storage), join them with ffmpeg, and keep the film, its poster and last frame like any result. Free: the
job was created with no credits, so its transitions write no ledger entry."""

from __future__ import annotations

import logging

from django.conf import settings

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import MediaRefused, sniff
from seedance_studio.preview.concat import Shot, join_shots
from seedance_studio.storage import copy_to_scratch, scratch_directory
from seedance_studio.studio.models import Job, LeaseLost
from seedance_studio.worker.results import keep_rendered

log = logging.getLogger(__name__)


class ShotMissing(Exception):
    """A shot of the chain was deleted, or has no video, since the export was asked for."""


def run_chain_export(job: Job, worker: str) -> None:
    lease = settings.WORKER_LEASE_SECONDS

    def on_progress(fraction: float) -> None:
        job.report_progress(worker, fraction, lease_seconds=lease)

    job.mark_running(worker)
    try:
        shots = job.exported_shots()
        if len(shots) != len(job.chain_shots) or any(
            shot.status != Job.Status.SUCCEEDED or not shot.video for shot in shots
        ):
            raise ShotMissing
        with scratch_directory() as workdir:
            inputs = []
            for number, shot in enumerate(shots, start=1):
                path = copy_to_scratch(shot.video, workdir / f"shot-{number}.mp4")
                facts = probe_media(path, sniff(path), timeout=settings.FFMPEG_PROBE_TIMEOUT, max_seconds=24 * 3600)
                inputs.append(Shot(path=path, duration=facts.duration, has_audio=facts.audio is not None))
            first = shots[0]
            size = (first.width or 1280, first.height or 720)
            video_path = workdir / "film.mp4"
            film = join_shots(inputs, size, video_path, timeout=settings.FFMPEG_RENDER_TIMEOUT, on_progress=on_progress)
            keep_rendered(
                job,
                worker,
                video_path,
                "chain.mp4",
                workdir,
                width=film.width,
                height=film.height,
                duration=film.duration,
            )
    except LeaseLost:
        log.warning("job %s: no longer ours (taken over by another worker), export discarded", job.public_id)
    except ShotMissing:
        job.fail(
            worker,
            "A shot of this chain was deleted (or lost its video) after the export was asked for. Open the chain "
            "again and export what is left.",
            cause=Job.Failure.STUDIO,
        )
    except (FfmpegError, MediaRefused) as error:
        log.error("job %s: chain export failed: %s\n%s", job.public_id, error, getattr(error, "stderr_tail", ""))
        job.retry_or_fail(
            worker,
            "The chain could not be joined: ffmpeg failed on one of its shots. Try again; if it fails again, "
            "export the shots before the newest one.",
        )
