"""Where the studio keeps its files: local disk (the embedded default) or an S3-compatible bucket
(`s3_storage.StudioS3Storage`, chosen in settings.py).

No code outside these modules assumes a stored file has a local path. Work that needs a real file (ffmpeg, the
probe, Pillow) copies it into a per-job scratch directory first (`scratch_directory`, `copy_to_scratch`) and
stores its results back through the field's storage; browsers get files through `references/serving.py`,
which redirects to a short-lived presigned URL when the storage can make one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction

_COPY_CHUNK = 1024 * 1024


@contextmanager
def scratch_directory() -> Iterator[Path]:
    """A temporary directory on this machine for one job's work (STUDIO_SCRATCH_DIR), removed afterwards
    whatever happens."""
    root = Path(settings.STUDIO_SCRATCH_DIR)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as workdir:
        yield Path(workdir)


def copy_to_scratch(field_file, destination: Path) -> Path:
    """A local copy of a stored file, for ffmpeg, the probe or Pillow to read, whatever the storage."""
    download = getattr(field_file.storage, "download_to", None)
    if download is not None:
        download(field_file.name, destination)
    else:
        with field_file.open("rb") as source, destination.open("wb") as copy:
            shutil.copyfileobj(source, copy, _COPY_CHUNK)
    return destination


def delete_after_commit(*field_files) -> None:
    """Delete stored files once the transaction that deleted their row commits (a rollback keeps both)."""
    names = [(field_file.storage, field_file.name) for field_file in field_files if field_file]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)
