"""Just enough WSGI for the emulators: a parsed request, a response, and the glue between them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

# A response carrying this header stands for "the provider did the work but the answer never arrived":
# the in-process transport turns it into httpx.ReadTimeout, the served emulator stalls instead.
STALL_HEADER = "X-Emulator-Stall"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @classmethod
    def from_environ(cls, environ: dict) -> Request:
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        return cls(
            environ["REQUEST_METHOD"].upper(),
            environ.get("PATH_INFO") or "/",
            dict(parse_qsl(environ.get("QUERY_STRING", ""))),
            headers,
            body,
        )

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
        return cls(status, json.dumps(data).encode(), [("Content-Type", "application/json"), *headers])

    def stalled(self) -> Response:
        self.headers.append((STALL_HEADER, "1"))
        return self

    @property
    def is_stalled(self) -> bool:
        return any(name == STALL_HEADER for name, _ in self.headers)


def wsgi_app(handle: Callable[[Request], Response], *, stall_seconds: Callable[[], float] = lambda: 0.0):
    def app(environ, start_response):
        response = handle(Request.from_environ(environ))
        if response.is_stalled and stall_seconds() > 0:
            time.sleep(stall_seconds())  # served mode: let the client's read timeout fire first
        reason = HTTPStatus(response.status).phrase
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {reason}", headers)
        return [response.body] if response.body else []

    return app
