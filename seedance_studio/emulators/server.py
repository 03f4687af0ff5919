"""The emulators on a real port, for trying the whole studio (web, worker, webhooks) by hand.

One port, one path prefix per provider (`/piapi`, `/goapi`, `/seedance2`, `/hiapi`, `/evolink`) and the
file host under `/cdn/<provider>/`, so each provider's base URL is `http://HOST:PORT/<provider>`. Time is
the wall clock; a ticker thread sends callbacks (real POSTs, retried like the providers say) when tasks end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx

from .clock import SystemClock
from .suite import CLASSES, Emulators

log = logging.getLogger("seedance_studio.emulators")
CALLBACK_RETRY_DELAYS = (1, 5, 30)  # 002:178; EvoLink and HiAPI document shorter ones, close enough here


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    base_url: str  # set by start() once the port is known


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        log.info("%s %s", self.address_string(), format % args)


class PrefixRouter:
    """WSGI: `/<provider>/…` to that emulator, `/cdn/…` to the file host, with the prefix moved to SCRIPT_NAME."""

    def __init__(self, emulators: Emulators):
        self.apps: dict[str, Callable[..., Any]] = {
            **{name: emulator for name, emulator in emulators.providers.items()},
            "cdn": emulators.cdn,
        }

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        prefix, _, rest = path.lstrip("/").partition("/")
        app = self.apps.get(prefix)
        if app is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [f"Unknown provider prefix; use one of /{', /'.join(self.apps)}\n".encode()]
        environ = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + "/" + prefix, "PATH_INFO": "/" + rest}
        return app(environ, start_response)


def post_callback(url: str, headers: dict[str, str], body: bytes) -> None:
    """Deliver a callback in the background, retrying a non-2xx answer like the providers do."""

    def deliver():
        for delay in (0, *CALLBACK_RETRY_DELAYS):
            time.sleep(delay)
            try:
                answer = httpx.post(url, headers=headers, content=body, timeout=10)
                log.info("callback to %s -> %s", url, answer.status_code)
                if answer.is_success:
                    return
            except httpx.HTTPError as exc:
                log.info("callback to %s failed: %s", url, type(exc).__name__)

    threading.Thread(target=deliver, daemon=True).start()


def start(host: str = "127.0.0.1", port: int = 8765, **options) -> tuple[_ThreadingServer, Emulators]:
    """Bind the port (0: any free one), then build emulators whose result links point back at it."""
    server = make_server(host, port, _not_ready, server_class=_ThreadingServer, handler_class=_QuietHandler)
    base = f"http://{host}:{server.server_address[1]}"
    emulators = Emulators(
        clock=SystemClock(),
        sender=post_callback,
        allow_insecure_callbacks=True,
        cdn_bases={name: f"{base}/cdn/{name}" for name in CLASSES},
        **options,
    )
    server.set_app(PrefixRouter(emulators))
    server.base_url = base
    return server, emulators


def serve(server: WSGIServer, emulators: Emulators) -> None:
    """Serve until shutdown() or Ctrl-C; a ticker thread sends callbacks as tasks end."""
    stop = threading.Event()

    def tick():
        while not stop.wait(0.5):
            emulators.tick()

    threading.Thread(target=tick, daemon=True, name="emulator-ticker").start()
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        stop.set()
        server.server_close()


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]


def studio_environment(emulators: Emulators, base: str) -> dict[str, str]:
    """The variables that point the studio at the served emulators."""
    from seedance_studio.provider_api import ENV_VARS

    env = {}
    for name in CLASSES:
        names = ENV_VARS[name]
        env[names["api_key"]] = emulators.keys[name]
        env[names["base_url"]] = f"{base}/{name}"
        env[names["allowed_result_hosts"]] = httpx.URL(base).host
    if emulators.hiapi.signing_key:
        env[ENV_VARS["hiapi"]["signing_key"]] = emulators.hiapi.signing_key
    env["PROVIDER_EMULATOR"] = "1"  # read by settings.py: downloads may use http and 127.0.0.1
    return env
