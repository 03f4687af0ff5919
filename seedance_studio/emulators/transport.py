"""An httpx transport that answers each provider's documented hosts from the emulators, in-process.

Routing is by the Host header (falling back to the URL), so a download that connects to a checked IP
address while naming the host still reaches the right emulator. Every request is recorded in `requests`,
so a test can assert that nothing was fetched. A response the emulator marks as stalled becomes
`httpx.ReadTimeout`: the provider did the work, the answer never arrived.
"""

from __future__ import annotations

import httpx

from .suite import Emulators
from .wsgi import STALL_HEADER


class EmulatorTransport(httpx.MockTransport):
    def __init__(self, emulators: Emulators):
        self.emulators = emulators
        self.requests: list[httpx.Request] = []
        self._apps = {host: httpx.WSGITransport(app=app) for host, app in emulators.apps_by_host().items()}
        super().__init__(self._handle)

    def requests_to(self, host: str) -> list[httpx.Request]:
        return [r for r in self.requests if _host(r) == host]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        app = self._apps.get(_host(request))
        if app is None:
            raise httpx.ConnectError(f"No emulated host {_host(request)!r}", request=request)
        response = app.handle_request(request)
        if STALL_HEADER.lower() in (k.lower() for k in response.headers):
            response.close()
            raise httpx.ReadTimeout("The emulated provider did not answer in time", request=request)
        return response


def emulator_transport(emulators: Emulators | None = None, **options) -> EmulatorTransport:
    """A transport over `emulators` (or a fresh `Emulators(**options)`, reachable as `.emulators`)."""
    return EmulatorTransport(emulators or Emulators(**options))


def _host(request: httpx.Request) -> str:
    host = request.headers.get("host") or request.url.host
    if host.startswith("["):
        return host[1 : host.index("]")].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()
