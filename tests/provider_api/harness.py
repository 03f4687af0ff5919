"""Fixtures and helpers for driving the real provider clients against the in-process emulators.

Imported by the conftest of tests/provider_api and tests/emulators. No database: everything here is plain
Python, and no test sleeps or touches the network (the emulators' clock moves instead; a fake resolver
answers DNS).
"""

from __future__ import annotations

import pytest

from seedance_studio.emulators import Emulators, emulator_transport
from seedance_studio.provider_api import Http, ProviderClient, client_for, make_config
from tests.seedance.builders import run

REMOTE = ("piapi", "goapi", "seedance2", "hiapi", "evolink")
PUBLIC_IP = "93.184.215.14"  # a public address; the fake resolver's default answer
WEBHOOK_SECRET = "whsec-studio-0123456789"
HIAPI_SIGNING_KEY = "hiapi-signing-key-0123456789"
CALLBACK_URL = "https://studio.example.com/hooks/providers/t0k3n"


class FakeResolver:
    """DNS for tests: every host is PUBLIC_IP unless told otherwise; every lookup is recorded."""

    def __init__(self):
        self.answers: dict[str, list[str]] = {}
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return self.answers.get(host, [PUBLIC_IP])


@pytest.fixture
def emulators() -> Emulators:
    return Emulators(hiapi_signing_key=HIAPI_SIGNING_KEY)


@pytest.fixture
def transport(emulators):
    return emulator_transport(emulators)


@pytest.fixture
def http(transport, emulators) -> Http:
    # The clock's sleep: a Retry-After or backoff wait moves emulated time and is recorded, never slept.
    layer = Http(transport=transport, sleep=emulators.clock.sleep, jitter=lambda: 0.5, clock=emulators.clock.now)
    yield layer
    layer.close()


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver()


@pytest.fixture
def connect(emulators, http, resolver):
    """connect("piapi", **config_overrides) -> a ProviderClient for the emulated account."""

    def make(provider: str, **overrides) -> ProviderClient:
        values = dict(webhook_secret=WEBHOOK_SECRET, signing_key=HIAPI_SIGNING_KEY if provider == "hiapi" else "")
        values.update(overrides)
        api_key = values.pop("api_key", emulators.keys[provider])
        return client_for(provider, make_config(provider, api_key, **values), http=http, resolve=resolver)

    return make


def body_for(provider: str, prompt: str = "A lighthouse at dawn, slow push-in", **kwargs) -> dict:
    """The core's own create body for a valid text-to-video composition."""
    evaluation = run(provider, prompt=prompt, **kwargs)
    assert evaluation.is_valid, evaluation.errors
    return evaluation.request_body


def finish(emulators, seconds: float = 30) -> None:
    emulators.clock.advance(seconds)


def creates(transport) -> list:
    return [r for r in transport.requests if r.method == "POST"]
