"""Which addresses are on the public internet: the one answer the result downloads (never fetch from a private
address) and the studio's own checks (can a provider reach PUBLIC_BASE_URL, is a provider on this network)
both use."""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Names only a private network resolves: localhost and the mDNS and internal suffixes.
_PRIVATE_NAMES = (".localhost", ".local", ".internal")


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`value` as an IP address (IPv6 with or without its URL brackets), or None when it is a name."""
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


def address_problem(address: str) -> str | None:
    """Why the studio must not connect to `address` ("a private address"), or None when it is public."""
    ip = parse_ip(address)
    if ip is None:
        return "an address that cannot be parsed"
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            problem = address_problem(str(embedded))
            return f"an IPv6-mapped {problem.removeprefix('a ').removeprefix('an ')}" if problem else None
    for test, words in (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "a non-public address"),
    ):
        if test:
            return words
    return None


@functools.lru_cache(maxsize=256)
def is_public_url(url: str) -> bool:
    """Whether a host on the internet could reach `url`, without asking DNS: its host is a public address, or a
    name that is not localhost, a private suffix or a single label (those resolve only on a private network).
    Remembered: the live check asks it of PUBLIC_BASE_URL and the provider's base URL on every keystroke."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith(_PRIVATE_NAMES):
        return False
    if parse_ip(host) is not None:
        return address_problem(host) is None
    return "." in host
