from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat

from seedance_studio.mediatools.probe import start_probe_ahead
from seedance_studio.mediatools.sniff import guessed_from_name
from seedance_studio.references.models import Reference, new_reference_file_name
from seedance_studio.s3_multipart import PART_BYTES, StreamedUpload


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


class StreamingUploadHandler(LimitedTemporaryFileUploadHandler):
    """On object storage, also sends each upload on to the bucket while its body is still arriving, as a multipart
    upload of the temporary file (s3_multipart.StreamedUpload), so a 50 MB video is not sent only after it has
    all arrived. A file that arrives whole carries it as `streamed`: ingest completes it while the file is probed
    (and deletes the object if the probe refuses it), or aborts it when the file is refused before. Files smaller
    than one part, files whose name says nothing of what they are, and local disk take ingest's own path.

    Only the upload view installs it (`request.upload_handlers`), once the creative is known to be signed in: an
    anonymous body never reaches the bucket.
    """

    def __init__(self, request=None):
        super().__init__(request)
        # Only object storage has it (s3_storage.StudioS3Storage); on local disk this handler is its parent.
        self.stream_upload: Callable[[str, str], StreamedUpload] | None = getattr(
            Reference._meta.get_field("file").storage, "stream_upload", None
        )
        self.streams: list[StreamedUpload] = []  # all this request started, for `abort_unfinished_streams`
        self.stream: StreamedUpload | None = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.stream = None
        guess = guessed_from_name(self.file_name or "")
        # The object is named before its content is known, after what the file's own name says it is. When the
        # content says otherwise, ingest drops it and stores the file under what it is (a name is never a lie).
        self.guessed_extension = guess.extension if guess and self.stream_upload else None
        if guess is None or guess.kind != "image":
            # A video or a sound is probed once it has arrived; its probing process loads meanwhile.
            start_probe_ahead(timeout=settings.FFMPEG_PROBE_TIMEOUT)

    def receive_data_chunk(self, raw_data, start):
        try:
            super().receive_data_chunk(raw_data, start)
        except SkipFile:
            self._abort_stream()
            raise
        if self.stream is None and self.stream_upload and self.guessed_extension and self.received >= PART_BYTES:
            self.stream = self.stream_upload(
                new_reference_file_name(self.guessed_extension.lstrip(".")), self.file.temporary_file_path()
            )
            self.streams.append(self.stream)
        if self.stream is not None:
            self.file.flush()  # parts are read from the file by name
            self.stream.file_grew(self.received)

    def file_complete(self, file_size):
        if self.stream is not None:
            self.file.flush()
            self.stream.file_complete(file_size)
        uploaded = super().file_complete(file_size)
        uploaded.streamed = self.stream  # type: ignore[union-attr]  # read by ingest.ingest_upload
        return uploaded

    def upload_interrupted(self):
        self._abort_stream()
        super().upload_interrupted()

    def _abort_stream(self) -> None:
        if self.stream is not None:
            self.stream.abort()
            self.stream = None


def abort_unfinished_streams(request) -> None:
    """Abort what this request began sending to the bucket and nobody completed: a refused file, or a body that
    never arrived whole. A completed upload is left alone (ingest deletes its object if the row is not saved)."""
    for handler in request.upload_handlers:
        for stream in getattr(handler, "streams", ()):
            stream.abort()


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
