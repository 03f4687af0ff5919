"""What the local renderer and the remote keeper share: the poster, and saving a job's result files from
scratch space into storage so that none is left behind when the job cannot be marked succeeded."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.files import File

from seedance_studio.mediatools.frames import extract_last_frame, extract_poster
from seedance_studio.studio.models import Job

log = logging.getLogger(__name__)

POSTER_WIDTH = 960


def make_poster(video: Path, workdir: Path, duration: float) -> Path:
    """The gallery's still: a frame a second in (or halfway through a shorter video)."""
    return extract_poster(
        video,
        workdir / "poster.jpg",
        at_seconds=min(1.0, duration / 2),
        width=POSTER_WIDTH,
        timeout=settings.FFMPEG_PROBE_TIMEOUT,
    )


def keep_rendered(job: Job, worker: str, video: Path, name: str, workdir: Path, *, width, height, duration) -> bool:
    """Keep a video rendered on this machine (a local preview, a chain's film) with its poster and its last
    frame, which every result has: "continue from the last frame" starts the next shot there."""
    poster = make_poster(video, workdir, duration)
    last_frame = extract_last_frame(video, workdir / "last-frame.png", timeout=settings.FFMPEG_PROBE_TIMEOUT)
    files = {"video": (name, video), "poster": ("poster.jpg", poster), "last_frame": ("last-frame.png", last_frame)}
    return keep_result(job, worker, files, width=width, height=height, duration=duration)


def keep_result(job: Job, worker: str, files: dict[str, tuple[str, Path]], **facts) -> bool:
    """Save `files` ({job field: (file name, scratch path)}) into the job's storage and mark it succeeded with
    `facts` (width, height, duration). False when it could not be marked (the job is no longer this worker's,
    or the database failed): then every file saved is deleted again, so none is left orphaned."""
    saved = []
    kept = False
    try:
        for field, (name, path) in files.items():
            field_file = getattr(job, field)
            with path.open("rb") as handle:
                field_file.save(name, File(handle), save=False)
            saved.append(field_file)
        kept = job.succeed(worker, **facts, **{field_file.field.name: field_file.name for field_file in saved})
    finally:
        if not kept:
            for field_file in saved:
                field_file.delete(save=False)
            log.warning("job %s: not kept (no longer ours, or saving failed), result discarded", job.public_id)
    return kept
