"""Finished jobs with real (small) files, made the way the worker makes them, for share-page tests."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser
from pathlib import Path

from django.core.files import File

from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft
from tests import media_factory

PROMPT = "A red fox crosses a snowy field at dawn, slow tracking shot"


def make_share_media(directory: Path) -> tuple[Path, Path]:
    """A 2-second 640x360 MP4 and a 960 px wide JPEG poster (the size the worker makes)."""
    video = media_factory.make_video(directory / "fox.mp4", seconds=2, width=640, height=360)
    poster = media_factory.make_image(directory / "fox-poster.jpg", 960, 540)
    return video, poster


def finished_job(owner, media: tuple[Path, Path], *, prompt: str = PROMPT) -> Job:
    draft = Composition.objects.draft_for(owner)
    draft.prompt = prompt
    draft.save()
    job = submit_draft(draft, uuid.uuid4())  # local preview: free
    held = Job.objects.filter(pk=job.pk).claim_next("w", lease_seconds=30)
    for field_file, path in zip((held.video, held.poster), media, strict=True):
        with path.open("rb") as handle:
            field_file.save(path.name, File(handle), save=False)
    assert held.succeed("w", video=held.video.name, poster=held.poster.name, width=640, height=360, duration=2.0)
    return Job.objects.select_related("composition").get(pk=job.pk)


def meta_tags(html: str) -> dict[str, str]:
    """<meta property|name=... content=...> of a page, by property or name."""
    tags: dict[str, str] = {}

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            key = attributes.get("property") or attributes.get("name")
            if tag == "meta" and key:
                tags[key] = attributes.get("content") or ""

    Collector().feed(html)
    return tags
