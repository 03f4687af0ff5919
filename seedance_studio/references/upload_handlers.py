from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat


def upload_temp_dir() -> str:
    """FILE_UPLOAD_TEMP_DIR, made on first use (importing the settings writes nothing)."""
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
    return settings.FILE_UPLOAD_TEMP_DIR


@dataclass(frozen=True)
class SkippedUpload:
    """A file the upload handler dropped while the request's body streamed in."""

    name: str
    reason: str  # completes the name: "is larger than 100 MB, the largest upload ..."

    def __str__(self) -> str:
        return f"{self.name} {self.reason}"


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams each upload to a temporary file and drops it as soon as it passes the largest size limit.

    The kind of a file is only known once its content is sniffed, so the per-kind limits are checked after
    the upload; this cap stops an oversized body from ever filling the disk. What it drops it keeps in
    `skipped`, which views read through `skipped_uploads(request)`.
    """

    # Django reads a multipart body in 64 KiB pieces by default: a 50 MB video is 800 trips through the parser and
    # this handler. 1 MiB pieces make that 50, and still bound what the process holds at once.
    chunk_size = 1024 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.skipped: list[SkippedUpload] = []

    def new_file(self, *args, **kwargs):
        upload_temp_dir()  # Django's TemporaryUploadedFile opens its file in it
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = max(settings.UPLOAD_MAX_BYTES.values())

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.skipped.append(
                SkippedUpload(
                    self.file_name or "a file",
                    f"is larger than {filesizeformat(self.limit)}, the largest upload the studio "
                    "accepts. Export a shorter or smaller version and try again.",
                )
            )
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)


def skipped_uploads(request) -> list[SkippedUpload]:
    """The files of this request's body that the upload handler dropped (too large to take at all). Parses the
    body first if nothing has yet, so it may be asked before or after `request.FILES`."""
    request.FILES  # noqa: B018 -- parses the body: the handlers only know once it has streamed through them
    return [
        skipped
        for handler in request.upload_handlers
        if isinstance(handler, LimitedTemporaryFileUploadHandler)
        for skipped in handler.skipped
    ]
