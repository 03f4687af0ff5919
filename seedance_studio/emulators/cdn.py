"""The emulated file hosts: one store for every provider's result links, with expiry.

A link is `<cdn base>/<token>.<ext>`; only the last path segment matters, so the same file answers on the
provider's documented host in-process (`https://img.theapi.app/ephemeral/…`) and under `/cdn/<provider>/`
on the served emulator. An expired link answers the status its provider's host is emulated with (403, 404
or 410).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from .wsgi import Request, Response, wsgi_app


@dataclass
class StoredFile:
    data: bytes
    content_type: str
    expires_at: float
    expired_status: int


class Cdn:
    def __init__(self, clock):
        self.clock = clock
        self.files: dict[str, StoredFile] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self.app = wsgi_app(self.handle)

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    def publish(
        self, base: str, data: bytes, *, suffix: str, content_type: str, expires_at: float, expired_status: int
    ) -> str:
        name = f"{secrets.token_hex(12)}{suffix}"
        with self._lock:
            self.files[name] = StoredFile(data, content_type, expires_at, expired_status)
        return f"{base.rstrip('/')}/{name}"

    def redirect(self, base: str, location: str) -> str:
        """A link on this host that answers 302 to `location` (for redirect tests)."""
        name = f"r-{secrets.token_hex(8)}.mp4"
        with self._lock:
            self.redirects[name] = location
        return f"{base.rstrip('/')}/{name}"

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"", [("Allow", "GET, HEAD")])
        name = request.path.rstrip("/").rsplit("/", 1)[-1]
        with self._lock:
            location = self.redirects.get(name)
            stored = self.files.get(name)
        if location:
            return Response(302, b"", [("Location", location)])
        if stored is None:
            return Response(404, b"Not Found", [("Content-Type", "text/plain")])
        if self.clock.now() >= stored.expires_at:
            return Response(stored.expired_status, b"Request has expired", [("Content-Type", "text/plain")])
        body = b"" if request.method == "HEAD" else stored.data
        return Response(200, body, [("Content-Type", stored.content_type), ("Cache-Control", "private, max-age=60")])
