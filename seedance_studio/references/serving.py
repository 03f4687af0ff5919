"""Serve a stored file once the caller has checked who may see it, with HTTP Range support, so videos seek and
Safari plays them at all.

Three ways, by deployment: with S3 storage, a redirect to a short-lived presigned URL (the object store answers
Range requests, and no web worker is held for the length of a video); with local disk behind nginx and
MEDIA_X_ACCEL_REDIRECT set, an `X-Accel-Redirect` that nginx serves; otherwise Django streams the file itself.
"""

import re
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def serve_stored_file(request, field_file, content_type: str, *, download_name: str | None = None):
    disposition = content_disposition_header(bool(download_name), download_name or "file") or ""
    presign = getattr(field_file.storage, "presigned_url", None)
    if presign is not None:
        response: HttpResponseBase = HttpResponseRedirect(
            presign(field_file.name, content_type=content_type, content_disposition=disposition, method=request.method)
        )
        # A cached redirect must never outlive the URL it points to.
        response["Cache-Control"] = f"private, max-age={settings.STORAGE_URL_EXPIRY_SECONDS // 2}"
        return response
    if settings.MEDIA_X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_X_ACCEL_REDIRECT + quote(field_file.name)
    else:
        response = _streamed(request, field_file, content_type)
        if response.status_code == 416:
            return response
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = disposition
    return response


def _streamed(request, field_file, content_type: str) -> HttpResponseBase:
    size = field_file.size
    range_header = request.headers.get("Range", "").strip()
    # A multi-range or malformed header matches nothing: the whole file is sent, as RFC 9110 allows.
    match = _RANGE.match(range_header) if range_header else None
    if match:
        first, last = match.groups()
        if first == "" and last == "":
            return _unsatisfiable(size)
        if first == "":  # the last N bytes
            length = min(int(last), size)
            start, end = size - length, size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            return _unsatisfiable(size)
        response = StreamingHttpResponse(_read_range(field_file, start, end), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    return response


def _read_range(field_file, start: int, end: int):
    with field_file.open("rb") as handle:
        handle.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response
