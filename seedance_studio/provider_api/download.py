"""Keep a provider's result: fetch it into a local file without letting the link point the studio anywhere else.

Every hop (the link, then each redirect, at most `max_redirects`) is checked before a byte is fetched:
https only (http only with the emulator's explicit flag), and every address the host resolves to public (no
private, loopback, link-local, multicast, reserved or IPv6-mapped form of them). The connection then goes to
the very address that was checked (the Host header and TLS SNI/certificate check still use the name), so a
DNS answer that changes between the check and the connect (rebinding) cannot slip a private address in.

No provider document names the hosts its results are served from, so the safety rests on those checks, not
on a guessed host list: by default any public host is fetched. An admin may narrow it with an allow-list
(`allowed_hosts`, exact or a subdomain of an entry).
The body is streamed to a temporary file next to the destination, capped in size and time, and moved into
place only when complete; what it is (a video) is sniffed by the caller. 403/404/410 from the file host mean
the link has expired: permanent.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .addresses import address_problem, parse_ip
from .errors import ProviderError, ResultLinkExpired, UnsafeResultLink
from .http import Http, parse_retry_after, shared, status_error
from .types import ProviderConfig

Resolver = Callable[[str, int], Sequence[str]]

DOWNLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=10.0, pool=5.0)
EXPIRED_STATUSES = (403, 404, 410)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class DownloadPolicy:
    allowed_hosts: tuple[str, ...] = ()  # empty: any public host; otherwise only these (and their subdomains)
    provider: str = "the provider"  # who the messages name: "PiAPI's result link ..."
    max_bytes: int = 512 * 1024 * 1024
    max_seconds: float = 900.0  # the whole download, so a host trickling bytes cannot hold a worker forever
    max_redirects: int = 3
    allow_http: bool = False  # emulator only
    allow_private_addresses: bool = False  # emulator only (it listens on 127.0.0.1)
    timeout: httpx.Timeout = field(default_factory=lambda: DOWNLOAD_TIMEOUT)

    @classmethod
    def for_config(cls, config: ProviderConfig, provider: str = "the provider", **overrides) -> DownloadPolicy:
        values: dict[str, Any] = dict(
            allowed_hosts=tuple(config.allowed_result_hosts),
            provider=provider,
            allow_http=config.emulated,
            allow_private_addresses=config.emulated,
        )
        values.update(overrides)
        return cls(**values)

    @property
    def owner(self) -> str:
        return f"{self.provider}'s"

    @property
    def owner_first(self) -> str:
        """`owner` at the start of a sentence."""
        return self.owner[:1].upper() + self.owner[1:]


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int
    content_type: str
    url: str  # the link that finally answered, after redirects


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))  # the address: a str for IPv4 and IPv6


def download(
    url: str, dest: Path, policy: DownloadPolicy, *, http: Http | None = None, resolve: Resolver | None = None
) -> Downloaded:
    """Fetch `url` into `dest`. Network errors, 408, 429 and 5xx are retried (each attempt starts over and
    checks everything again); everything else raises at once."""
    http = http or shared()
    resolve = resolve or system_resolver
    return http.retrying(
        lambda: _attempt(url, Path(dest), policy, http.client, resolve), what=f"{policy.provider} result download"
    )


def _attempt(url: str, dest: Path, policy: DownloadPolicy, client: httpx.Client, resolve: Resolver) -> Downloaded:
    current = url
    for hop in range(policy.max_redirects + 1):
        target = check_url(current, policy, redirected=hop > 0)
        address = public_address(target, policy, resolve, redirected=hop > 0)
        request = client.build_request(
            "GET",
            target.copy_with(host=address),
            headers={"Host": target.netloc.decode("ascii"), "Accept": "*/*", "Connection": "close"},
            extensions={"sni_hostname": target.host},
            timeout=policy.timeout,
        )
        try:
            response = client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise _network_error(policy, exc) from None
        try:
            if response.is_redirect:
                try:
                    current = str(target.join(response.headers["location"]))
                except httpx.InvalidURL:
                    raise UnsafeResultLink(
                        f"{policy.owner_first} result link redirected to an invalid URL; refusing to follow it."
                    ) from None
                continue
            if response.status_code in EXPIRED_STATUSES:
                raise ResultLinkExpired(
                    f"{policy.owner_first} result link has expired (HTTP {response.status_code} from "
                    f"{target.host}): the file is no longer there to keep.",
                    status=response.status_code,
                )
            if not 200 <= response.status_code < 300:
                raise status_error(
                    response.status_code,
                    f"{policy.owner_first} file host",
                    None,
                    retry_after=parse_retry_after(response.headers.get("retry-after")),
                )
            return _save(response, dest, policy, str(target))
        finally:
            response.close()
    raise UnsafeResultLink(
        f"{policy.owner_first} result link redirected more than {policy.max_redirects} times; "
        f"refusing to follow it further."
    )


def check_url(url: str, policy: DownloadPolicy, *, redirected: bool = False) -> httpx.URL:
    """The parsed URL when its scheme and host may be fetched; UnsafeResultLink otherwise. No network."""
    verb = "redirected to" if redirected else "points at"
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise UnsafeResultLink(f"{policy.owner_first} result link is not a valid URL; refusing to fetch it.") from None
    if target.scheme == "http" and not policy.allow_http:
        raise UnsafeResultLink(
            f"{policy.owner_first} result link {verb} a plain http:// address ({target.host}); "
            f"refusing to fetch it without https."
        )
    if target.scheme not in ("https", "http"):
        raise UnsafeResultLink(f"{policy.owner_first} result link is not an https:// link; refusing to fetch it.")
    if target.userinfo:
        raise UnsafeResultLink(
            f"{policy.owner_first} result link carries a user name or password; refusing to fetch it."
        )
    if not target.host:
        raise UnsafeResultLink(f"{policy.owner_first} result link has no host; refusing to fetch it.")
    if policy.allowed_hosts and not host_allowed(target.host, policy.allowed_hosts):
        raise UnsafeResultLink(
            f"{policy.owner_first} result link {verb} {target.host}, which is not one of the result hosts an admin "
            f"allowed for {policy.provider} ({', '.join(policy.allowed_hosts)}); refusing to fetch it. If "
            f"{policy.provider} really serves results from there, add the host to its *_RESULT_HOSTS setting."
        )
    return target


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Exact match, or a subdomain of an entry ("theapi.app" allows "img.theapi.app", not "eviltheapi.app").
    An IP address matches only itself."""
    host = host.lower().rstrip(".")
    is_ip = parse_ip(host) is not None
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".").removeprefix("*.").lstrip(".")
        if entry and (host == entry or (not is_ip and host.endswith("." + entry))):
            return True
    return False


def public_address(target: httpx.URL, policy: DownloadPolicy, resolve: Resolver, *, redirected: bool = False) -> str:
    """The address to connect to: every address the host has must be public, or nothing is fetched."""
    verb = "redirected to" if redirected else "points at"
    host = target.host
    if parse_ip(host) is not None:
        addresses, named = [host], ""
    else:
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            addresses = list(resolve(host, port))
        except OSError:
            addresses = []
        if not addresses:
            raise ProviderError(
                f"{policy.owner_first} file host {host} could not be resolved.", permanent=False, retryable=True
            )
        named = f"{host}, which resolves to "
    if not policy.allow_private_addresses:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise UnsafeResultLink(
                    f"{policy.owner_first} result link {verb} {named}{problem} ({address}); refusing to fetch it."
                )
    return addresses[0]


def _save(response: httpx.Response, dest: Path, policy: DownloadPolicy, url: str) -> Downloaded:
    limit = f"{policy.max_bytes / 1_000_000:g} MB"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise UnsafeResultLink(
            f"{policy.owner_first} result is {int(declared) / 1_000_000:.1f} MB, more than the "
            f"{limit} the studio keeps; refusing to download it."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    deadline = time.monotonic() + policy.max_seconds
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_bytes(_CHUNK):
                size += len(chunk)
                if size > policy.max_bytes:
                    raise UnsafeResultLink(
                        f"{policy.owner_first} result grew past the {limit} the studio keeps while "
                        f"downloading; the partial file was discarded."
                    )
                if time.monotonic() > deadline:
                    raise ProviderError(
                        f"Downloading {policy.owner} result took longer than {policy.max_seconds:g} s.",
                        permanent=False,
                        retryable=True,
                    )
                out.write(chunk)
        if size == 0:
            raise ProviderError(f"{policy.owner_first} file host sent an empty file.", permanent=False, retryable=True)
        os.replace(partial, dest)
    except httpx.TransportError as exc:
        os.unlink(partial)
        raise _network_error(policy, exc) from None
    except BaseException:
        os.unlink(partial)
        raise
    return Downloaded(dest, size, response.headers.get("content-type", ""), url)


def _network_error(policy: DownloadPolicy, exc: httpx.TransportError) -> ProviderError:
    return ProviderError(
        f"Downloading {policy.owner} result failed ({type(exc).__name__}).", permanent=False, retryable=True
    )
