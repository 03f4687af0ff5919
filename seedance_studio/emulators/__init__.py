"""Faithful fakes of the five providers' HTTP APIs, as plain WSGI apps (no Django).

    emulators = Emulators(hiapi_signing_key="k")        # one clock, one callback outbox, one file host
    transport = emulator_transport(emulators)           # httpx transport answering api.piapi.ai & co.
    http = Http(transport=transport, sleep=emulators.clock.sleep)
    emulators.clock.advance(10)                          # tasks move on; due callbacks land in .outbox

Scenario knobs: `emulators.piapi.scenario` (a `Scenario`) or markers in the prompt (see base.py).
The management command `run_provider_emulator` serves them on 127.0.0.1 (server.py).
"""

from .base import MARKER, Outbox, ProviderEmulator, Scenario, SentCallback, Task
from .clock import Clock, SystemClock
from .suite import CDN_HOSTS, CLASSES, DEFAULT_KEYS, Emulators
from .transport import EmulatorTransport, emulator_transport

__all__ = [
    "CDN_HOSTS",
    "CLASSES",
    "DEFAULT_KEYS",
    "MARKER",
    "Clock",
    "EmulatorTransport",
    "Emulators",
    "Outbox",
    "ProviderEmulator",
    "Scenario",
    "SentCallback",
    "SystemClock",
    "Task",
    "emulator_transport",
]
