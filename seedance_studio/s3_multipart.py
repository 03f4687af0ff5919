"""Sending a file to the bucket while it is still being written: an upload that arrives at a web process goes on
to the object store part by part as its body streams in, instead of only after the last byte has arrived.

Parts are read from the local file when they are sent (never held in memory), a few at a time, and the object
only appears when `complete` is called: until then the bucket holds an unfinished multipart upload that `abort`
removes. A process killed in between leaves one behind; the bucket's lifecycle rule for incomplete multipart
uploads (README, "Running on several machines") clears those.
"""

from __future__ import annotations

import io
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

PART_BYTES = 8 * 1024 * 1024  # S3 parts are at least 5 MiB, except the last; 8 MiB is what boto3 sends
PARTS_IN_FLIGHT = 4  # as many as boto3's upload_file sends at once in this studio (s3_storage.TransferConfig)


class StreamedUpload:
    """A multipart upload of the local file at `path`, which the caller is still writing. It calls `file_grew`
    as the file grows (after flushing it), `file_complete` once it is whole, then `complete` or `abort`.
    `name` is the object's name as the storage knows it; `key` is the name in the bucket, with any prefix."""

    def __init__(self, client, bucket: str, key: str, path: str, write_parameters: dict, *, name: str) -> None:
        self._client, self._bucket, self.key, self._path, self.name = client, bucket, key, path, name
        # What boto3's own transfers do: with checksums on (botocore's default), each part carries a CRC32 that
        # the object store verifies, and the completion lists them.
        self._checksum = "CRC32" if client.meta.config.request_checksum_calculation == "when_supported" else None
        self._checksum_args = {"ChecksumAlgorithm": self._checksum} if self._checksum else {}
        self._upload_id = client.create_multipart_upload(
            Bucket=bucket, Key=key, **write_parameters, **self._checksum_args
        )["UploadId"]
        self._pool = ThreadPoolExecutor(max_workers=PARTS_IN_FLIGHT, thread_name_prefix="s3-part")
        self._parts: list[Future[dict]] = []
        self._sent_up_to = 0
        self._state = "open"  # then "complete" or "aborted"

    def file_grew(self, size: int) -> None:
        """The file now holds `size` bytes, flushed to disk: send every whole part not yet sent."""
        while size - self._sent_up_to >= PART_BYTES:
            self._send(PART_BYTES)

    def file_complete(self, size: int) -> None:
        """The file is whole at `size` bytes: send the rest as the last part."""
        self.file_grew(size)
        if size > self._sent_up_to or not self._parts:
            self._send(size - self._sent_up_to)

    def complete(self) -> None:
        """Wait for every part, then make the object from them. Raises when a part or the completion failed; the
        caller then aborts."""
        parts = [part.result() for part in self._parts]
        self._client.complete_multipart_upload(
            Bucket=self._bucket, Key=self.key, UploadId=self._upload_id, MultipartUpload={"Parts": parts}
        )
        self._state = "complete"
        self._pool.shutdown()

    def abort(self) -> None:
        """Drop the upload and every part of it from the bucket. Does nothing once the upload is complete (the
        object is then the caller's to delete) or already aborted."""
        if self._state != "open":
            return
        self._state = "aborted"
        # Parts not started are dropped; the ones on their way are let finish, so none lands after the abort.
        self._pool.shutdown(wait=True, cancel_futures=True)
        try:
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id)
        except Exception:
            log.exception("an unfinished upload could not be aborted: %s", self.key)

    def _send(self, length: int) -> None:
        number, offset = len(self._parts) + 1, self._sent_up_to
        self._parts.append(self._pool.submit(self._upload_part, number, offset, length))
        self._sent_up_to = offset + length

    def _upload_part(self, number: int, offset: int, length: int) -> dict:
        with FileSlice(self._path, offset, length) as body:
            response = self._client.upload_part(
                Bucket=self._bucket,
                Key=self.key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=body,
                ContentLength=length,
                **self._checksum_args,
            )
        part = {"ETag": response["ETag"], "PartNumber": number}
        if self._checksum and f"Checksum{self._checksum}" in response:
            part[f"Checksum{self._checksum}"] = response[f"Checksum{self._checksum}"]
        return part


class FileSlice(io.RawIOBase):
    """`length` bytes of the file at `path` from `offset`, as a seekable file of their own: botocore reads it
    once for the checksum and again to send it, and rewinds it to retry."""

    def __init__(self, path: str, offset: int, length: int) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 -- closed with the slice
        self._offset, self._length, self._position = offset, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def __len__(self) -> int:
        return self._length

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._length}[whence]
        self._position = min(max(base + position, 0), self._length)
        return self._position

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._position
        size = left if size is None or size < 0 else min(size, left)
        data = os.pread(self._file.fileno(), size, self._offset + self._position) if size else b""
        self._position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()
