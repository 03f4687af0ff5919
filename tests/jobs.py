"""Jobs in the states result-page tests need, made the way the studio makes them: a submitted draft, ended
through the Job's own transitions, with real media files in storage."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.files import File

from seedance_studio.mediatools.frames import extract_last_frame, extract_poster
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft
from tests import media_factory


def submitted(owner, *, prompt="A cat walks in the garden", **fields) -> Job:
    draft = Composition.objects.draft_for(owner)
    for name, value in {"prompt": prompt, **fields}.items():
        setattr(draft, name, value)
    draft.save()
    return submit_draft(draft, uuid.uuid4())


def succeeded(
    owner,
    scratch: Path,
    *,
    prompt="A cat walks in the garden",
    seconds=2.0,
    size=(640, 360),
    with_audio=True,
    **fields,
) -> Job:
    """A finished local preview with a real video (`size`, with a tone when `with_audio`), poster and last
    frame."""
    job = submitted(owner, prompt=prompt, **fields)
    held = Job.objects.filter(pk=job.pk).claim_next("worker-test", lease_seconds=60)
    width, height = size
    video = media_factory.make_video(
        scratch / f"{job.public_id.hex}.mp4", seconds=seconds, width=width, height=height, with_audio=with_audio
    )
    poster = extract_poster(video, scratch / f"{job.public_id.hex}.jpg", at_seconds=0.5, width=320, timeout=20)
    last = extract_last_frame(video, scratch / f"{job.public_id.hex}-last.png", timeout=20)
    for field_file, path in ((held.video, video), (held.poster, poster), (held.last_frame, last)):
        with path.open("rb") as handle:
            field_file.save(path.name, File(handle), save=False)
    assert held.succeed(
        "worker-test",
        video=held.video.name,
        poster=held.poster.name,
        last_frame=held.last_frame.name,
        width=width,
        height=height,
        duration=seconds,
    )
    return Job.objects.select_related("composition").get(pk=job.pk)
