"""S3 and S3-compatible object storage (AWS, MinIO, R2, Ceph) for the studio's files, switched on by
STORAGE_S3_BUCKET (settings.py). Imported only then, so a local-disk studio never loads boto3."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from boto3.s3.transfer import TransferConfig
from django.conf import settings
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from seedance_studio.s3_multipart import StreamedUpload


class StudioS3Storage(S3Storage):
    """django-storages' S3 backend with what the studio adds: presigned URLs signed for the endpoint browsers
    reach (`public_endpoint_url`, e.g. `https://media.example.com` in front of a MinIO that the servers reach
    as `http://minio:9000`), and transfers that stream between a local file and the bucket in parts, so a
    100 MB video never sits in a web or worker process's memory."""

    def get_default_settings(self) -> dict:
        return {**super().get_default_settings(), "public_endpoint_url": None}

    def __init__(self, **options) -> None:
        if options.get("transfer_config") is None:
            # Parts of 8 MiB, four at a time: as fast as ten against a nearby object store, and it keeps a web
            # process's memory flat while it sends an upload on.
            options["transfer_config"] = TransferConfig(max_concurrency=4)
        super().__init__(**options)
        self._public_clients = threading.local()

    def _save(self, name: str, content) -> str:
        path = _local_file_path(content)
        if path is None:
            return super()._save(name, content)
        cleaned = clean_name(name)
        key = self._normalize_name(cleaned)
        # upload_file reads each part from the file when it is sent; upload_fileobj (the parent's) would
        # buffer every part in memory, up to chunk size x concurrency.
        self.bucket.Object(key).upload_file(
            path, ExtraArgs=self._get_write_parameters(key, content), Config=self.transfer_config
        )
        return cleaned

    def stream_upload(self, name: str, path: str) -> StreamedUpload:
        """Start sending the local file at `path`, still being written, to the object `name` (see s3_multipart)."""
        name = clean_name(name)
        key = self._normalize_name(name)
        return StreamedUpload(
            self.connection.meta.client, self.bucket_name, key, path, self._get_write_parameters(key), name=name
        )

    def download_to(self, name: str, destination: Path) -> None:
        """Stream the object `name` into the local file `destination` (opening it would spool it in memory)."""
        key = self._normalize_name(clean_name(name))
        self.bucket.Object(key).download_file(str(destination), Config=self.transfer_config)

    def presigned_url(self, name: str, *, content_type: str, content_disposition: str, method: str = "GET") -> str:
        """A URL for `name` valid for STORAGE_URL_EXPIRY_SECONDS, on the endpoint browsers reach. The object store
        then answers Range requests itself. The method is part of the signature, so a HEAD (a provider looking
        before it fetches a reference) gets a URL signed for HEAD. Signing is local: no request leaves the
        process."""
        client = getattr(self._public_clients, "client", None)
        if client is None:
            client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url or self.endpoint_url,
                config=self.client_config,
            )
            self._public_clients.client = client
        return client.generate_presigned_url(
            "head_object" if method == "HEAD" else "get_object",
            Params={
                "Bucket": self.bucket_name,
                "Key": self._normalize_name(clean_name(name)),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition,
            },
            ExpiresIn=settings.STORAGE_URL_EXPIRY_SECONDS,
        )

    def warm_up(self) -> None:
        """Build the boto3 clients now (loading botocore's service models takes time and memory), so the
        first upload a process serves is not the one that pays for it."""
        self.bucket.meta.client.meta.service_model  # noqa: B018
        self.presigned_url("warm-up", content_type="application/octet-stream", content_disposition="inline")


def _local_file_path(content) -> str | None:
    """The path of the local file behind `content` (an upload's temporary file, or a scratch file opened by
    the caller), or None when it is not a plain file on this machine."""
    temporary = getattr(content, "temporary_file_path", None)
    if callable(temporary):
        return temporary()
    name = getattr(getattr(content, "file", content), "name", None)
    if isinstance(name, str) and os.path.isabs(name) and os.path.isfile(name):
        return name
    return None
