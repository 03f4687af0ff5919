"""`Emulators`: the five emulated providers and their file host, sharing one clock and one callback outbox."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

from .base import Outbox, ProviderEmulator, Sender
from .cdn import Cdn
from .clock import Clock
from .evolink import EvoLinkEmulator
from .hiapi import HiApiEmulator
from .seedance2 import Seedance2Emulator
from .unified import GoApiEmulator, PiApiEmulator

CLASSES: dict[str, type[ProviderEmulator]] = {
    cls.provider: cls for cls in (PiApiEmulator, GoApiEmulator, Seedance2Emulator, HiApiEmulator, EvoLinkEmulator)
}
DEFAULT_KEYS = {name: f"{name}-emulator-key" for name in CLASSES}
# The hosts in-process result links use: the documented ones where the documents show one (img.theapi.app
# from PiAPI's task examples, static.seedance2-pro.com from 002:171), invented ones otherwise.
# Each provider's own file host, plus one no provider names: results may move to any public host (a CDN the
# provider switched to), and the studio must keep them there too.
UNLISTED_CDN_HOST = "media.unlisted-cdn.example"


def _hostname(url: str) -> str:
    host = urlsplit(url).hostname
    assert host is not None, url  # every emulator's CDN base is an absolute URL
    return host


CDN_HOSTS = tuple(dict.fromkeys([*(_hostname(cls.cdn_base) for cls in CLASSES.values()), UNLISTED_CDN_HOST]))


class Emulators:
    def __init__(
        self,
        *,
        clock=None,
        sender: Sender | None = None,
        keys: dict[str, str] | None = None,
        hiapi_signing_key: str = "",
        cdn_bases: dict[str, str] | None = None,
        allow_insecure_callbacks: bool = False,
        stall_seconds: float = 0.0,
    ):
        self.clock = clock or Clock()
        self.outbox = Outbox()
        self.cdn = Cdn(self.clock)
        self.keys = {**DEFAULT_KEYS, **(keys or {})}
        self.providers: dict[str, ProviderEmulator] = {}
        for name, cls in CLASSES.items():
            extra = {"signing_key": hiapi_signing_key} if name == "hiapi" else {}
            self.providers[name] = cls(
                clock=self.clock,
                cdn=self.cdn,
                api_key=self.keys[name],
                sender=self.outbox if sender is None else sender,
                cdn_base=(cdn_bases or {}).get(name),
                allow_insecure_callbacks=allow_insecure_callbacks,
                stall_seconds=stall_seconds,
                **extra,
            )
        self.clock.on_advance(self.tick)

    def __getitem__(self, provider: str) -> ProviderEmulator:
        return self.providers[provider]

    def __iter__(self):
        return iter(self.providers.values())

    @property
    def piapi(self) -> PiApiEmulator:
        return cast(PiApiEmulator, self.providers["piapi"])

    @property
    def goapi(self) -> GoApiEmulator:
        return cast(GoApiEmulator, self.providers["goapi"])

    @property
    def seedance2(self) -> Seedance2Emulator:
        return cast(Seedance2Emulator, self.providers["seedance2"])

    @property
    def hiapi(self) -> HiApiEmulator:
        return cast(HiApiEmulator, self.providers["hiapi"])

    @property
    def evolink(self) -> EvoLinkEmulator:
        return cast(EvoLinkEmulator, self.providers["evolink"])

    def tick(self) -> None:
        for emulator in self.providers.values():
            emulator.tick()

    def apps_by_host(self) -> dict:
        """Each documented API host and each result host -> the WSGI app that plays it."""
        apps: dict[str, ProviderEmulator | Cdn] = {
            host: emulator for emulator in self.providers.values() for host in emulator.api_hosts
        }
        apps.update({host: self.cdn for host in CDN_HOSTS})
        return apps
