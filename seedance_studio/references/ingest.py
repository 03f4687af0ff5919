"""Turn an uploaded temporary file into a Reference, or refuse it with a message a creative can act on.

Order matters: everything that can refuse (sniffing, size, probing, thumbnailing) runs on the temporary file
before any row points at a stored file. On object storage the file travels to the bucket while it is probed (see
_sent_early), and every stored file is removed again if the file is refused or the row cannot be saved, so a
refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from seedance_studio.mediatools.ffmpeg import FfmpegError
from seedance_studio.mediatools.frames import extract_poster, make_image_thumbnail
from seedance_studio.mediatools.probe import probe_image, probe_media
from seedance_studio.mediatools.sniff import MediaRefused, sniff
from seedance_studio.references.models import Reference, new_reference_file_name
from seedance_studio.references.quota import refusal_for
from seedance_studio.references.upload_handlers import upload_temp_dir
from seedance_studio.s3_multipart import StreamedUpload
from seedance_studio.storage import copy_to_scratch

log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 320


@dataclass
class UploadRefused(Exception):
    file_name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file_name}: {self.reason}"


def ingest_upload(owner, uploaded) -> Reference:
    """An upload as a new reference. One that was sent on to the bucket while it arrived (`streamed`, see
    upload_handlers.StreamingUploadHandler) is completed there while it is probed: its object is deleted if the
    probe refuses it, and the multipart upload aborted if it is refused before that."""
    streamed = getattr(uploaded, "streamed", None)
    try:
        return ingest_file(owner, Path(uploaded.temporary_file_path()), uploaded.name or "upload", streamed=streamed)
    except BaseException:
        if streamed is not None:
            streamed.abort()  # nothing to do once it was completed: the object is deleted with the failure
        raise


def ingest_stored(owner, field_file, name: str) -> Reference:
    """A file the studio already keeps (a result's last frame) as a new reference, through the same checks
    as an upload: copied to scratch space first, so it works whatever the storage."""
    with tempfile.TemporaryDirectory(dir=upload_temp_dir()) as workdir:
        return ingest_file(owner, copy_to_scratch(field_file, Path(workdir) / "source"), name)


def ingest_file(owner, path: Path, name: str, *, streamed: StreamedUpload | None = None) -> Reference:
    name = Path(name).name[:255]
    try:
        detected = sniff(path)
    except MediaRefused as refusal:
        raise UploadRefused(name, refusal.message) from None

    limit = settings.UPLOAD_MAX_BYTES[detected.kind]
    size = path.stat().st_size
    if size > limit:
        raise UploadRefused(
            name,
            f"is {filesizeformat(size)}; {detected.kind} references may be at most "
            f"{filesizeformat(limit)}. Export a smaller file and try again.",
        )
    # Refused early, before probing and storing anything; checked again, under a lock, when the row is saved.
    with transaction.atomic():
        over_quota = refusal_for(owner, size)
    if over_quota:
        raise UploadRefused(name, over_quota)

    with tempfile.TemporaryDirectory(dir=upload_temp_dir()) as workdir, _sent_early(path, detected, streamed) as sent:
        thumbnail_path = Path(workdir) / "thumbnail.jpg"
        try:
            fields = _probe(path, detected, thumbnail_path)
        except MediaRefused as refusal:
            raise UploadRefused(name, refusal.message) from None
        except FfmpegError as error:
            log.warning("probing an upload failed: %s\n%s", error, error.stderr_tail)
            raise UploadRefused(
                name,
                f"could not be read as a {detected.format.upper()} file. It may be damaged or "
                f"use an unusual codec: re-export it as {_suggested_export(detected.kind)} and "
                "try again.",
            ) from None
        return _store(owner, name, path, detected, size, fields, thumbnail_path, sent)


@contextmanager
def _sent_early(path: Path, detected, streamed: StreamedUpload | None) -> Iterator[Future[str] | None]:
    """On object storage, the file travels to the bucket while ffmpeg probes it (a 50 MB video takes about as long
    to send as to probe and thumbnail); one `streamed` there while it arrived is completed meanwhile. Nothing points
    at the object until the row is saved, and if the file is refused or anything fails, the object is deleted
    before the upload answers. On local disk: None, the file is copied after the checks, as ever."""
    storage = Reference._meta.get_field("file").storage
    if streamed is not None and Path(streamed.name).suffix != detected.extension:
        # Named after what its file name said, and the content says otherwise: sent again, under what it is.
        streamed.abort()
        streamed = None
    if streamed is None and getattr(storage, "download_to", None) is None:
        yield None
        return
    name = new_reference_file_name(detected.extension.lstrip("."))

    def send() -> str:
        with path.open("rb") as handle:
            return storage.save(name, File(handle))

    def complete(streamed: StreamedUpload) -> str:
        streamed.complete()
        return streamed.name

    with ThreadPoolExecutor(max_workers=1) as pool:
        sending = pool.submit(send) if streamed is None else pool.submit(complete, streamed)
        try:
            yield sending
        except BaseException:
            _delete_sent(storage, sending)
            raise


def _delete_sent(storage, sending: Future[str]) -> None:
    try:
        name = sending.result()
    except Exception:
        return  # it never became an object (a failed multipart upload is aborted by whoever started it)
    try:
        storage.delete(name)
    except Exception:
        log.exception("an early-sent upload could not be deleted from storage: %s", name)


def _probe(path: Path, detected, thumbnail_path: Path) -> dict:
    if detected.kind == "image":
        image = probe_image(path, detected, max_pixels=settings.UPLOAD_MAX_IMAGE_PIXELS)
        make_image_thumbnail(path, thumbnail_path, max_side=THUMBNAIL_SIDE)
        return {"width": image.display_width, "height": image.display_height}
    facts = probe_media(
        path, detected, timeout=settings.FFMPEG_PROBE_TIMEOUT, max_seconds=settings.UPLOAD_MAX_MEDIA_SECONDS
    )
    fields: dict[str, Any] = {"duration": facts.duration, "has_audio": facts.audio is not None}
    if facts.video is not None:
        fields.update(width=facts.video.display_width, height=facts.video.display_height, fps=facts.video.fps)
        extract_poster(
            path,
            thumbnail_path,
            at_seconds=min(0.5, facts.duration / 2),
            width=THUMBNAIL_SIDE,
            timeout=settings.FFMPEG_PROBE_TIMEOUT,
        )
    return fields


def _store(owner, name, path, detected, size, fields, thumbnail_path: Path, sent: Future[str] | None) -> Reference:
    reference = Reference(
        owner=owner,
        kind=detected.kind,
        original_name=name,
        format=detected.format,
        extension=detected.extension.lstrip("."),
        content_type=detected.mime,
        size_bytes=size,
        **fields,
    )
    stored = []
    try:
        if sent is not None:
            reference.file.name = sent.result()
        else:
            with path.open("rb") as handle:
                reference.file.save("upload", File(handle), save=False)
        stored.append(reference.file)
        if thumbnail_path.exists():
            with thumbnail_path.open("rb") as handle:
                reference.thumbnail.save("thumbnail.jpg", File(handle), save=False)
            stored.append(reference.thumbnail)
        with transaction.atomic():
            over_quota = refusal_for(owner, size)
            if over_quota:
                raise UploadRefused(name, over_quota)
            reference.save()
    except BaseException:
        for field_file in stored:
            field_file.delete(save=False)
        raise
    return reference


def _suggested_export(kind: str) -> str:
    return {"image": "JPEG or PNG", "video": "H.264 MP4", "audio": "MP3 or WAV"}[kind]
