"""Serve every provider emulator on one local port, so the whole studio can run against them by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from seedance_studio.emulators.base import MARKERS_HELP
from seedance_studio.emulators.server import serve, start, studio_environment


class Command(BaseCommand):
    help = (
        "Run faithful fakes of PiAPI, GoAPI, the Seedance2 API, HiAPI and EvoLink on 127.0.0.1, each under "
        "its own path prefix (/piapi, /goapi, /seedance2, /hiapi, /evolink), with their result files "
        "under /cdn/. Prints the environment that points the studio at them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1; the emulators have no real auth).",
        )
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--hiapi-signing-key",
            default="hiapi-emulator-signing-key",
            help="Sign HiAPI callbacks with this key; pass an empty string for unsigned ones.",
        )
        parser.add_argument(
            "--stall-seconds",
            type=float,
            default=65.0,
            help="How long a [[timeout-create]] create keeps the client waiting (longer than "
            "the studio's 30 s read timeout, so it sees a timeout).",
        )

    def handle(self, *args, host, port, hiapi_signing_key, stall_seconds, **options):
        try:
            server, emulators = start(host, port, hiapi_signing_key=hiapi_signing_key, stall_seconds=stall_seconds)
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port} ({exc.strerror}): choose another --port.") from None
        env = studio_environment(emulators, server.base_url)
        self.stdout.write(f"Provider emulators listening on {server.base_url}\n")
        self.stdout.write("Point the studio (web and worker) at them with:\n")
        for name, value in env.items():
            self.stdout.write(f"  export {name}={value}\n")
        self.stdout.write(
            "The studio's callback URL must reach this machine: with PUBLIC_BASE_URL on localhost, the emulators "
            "post callbacks there (http is allowed here, unlike at the real providers).\n"
            f"Scenario markers go in the prompt:\n{MARKERS_HELP}\n"
        )
        self.stdout.write("Ctrl-C to stop.\n")
        try:
            serve(server, emulators)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.\n")
