"""Keeping a result: every refusal happens before a byte is fetched from where the link points."""

from __future__ import annotations

import httpx
import pytest

from seedance_studio.provider_api import (
    DownloadPolicy,
    Http,
    ProviderError,
    ResultLinkExpired,
    UnsafeResultLink,
    download,
)
from seedance_studio.provider_api.addresses import address_problem
from seedance_studio.provider_api.download import host_allowed
from tests.provider_api.harness import PUBLIC_IP, REMOTE, body_for, finish

CDN_HOST = {
    "piapi": "img.theapi.app",
    "goapi": "img.theapi.app",
    "seedance2": "static.seedance2-pro.com",
    "hiapi": "cdn.hiapi.ai",
    "evolink": "files.evolink.ai",
}
EXPIRED_STATUS = {"piapi": 404, "goapi": 404, "seedance2": 403, "hiapi": 403, "evolink": 410}


def finished(connect, emulators, provider: str = "piapi", prompt: str = "A lighthouse at dawn", **options):
    client = connect(provider, **options)
    task_id = client.create(body_for(provider, prompt=prompt))
    finish(emulators)
    return client, client.status(task_id)


def test_it_connects_to_the_address_it_checked_and_names_the_host(connect, emulators, transport, resolver, tmp_path):
    client, status = finished(connect, emulators)

    kept = client.download(status.video, tmp_path / "r.mp4")

    (fetch,) = transport.requests_to("img.theapi.app")
    assert fetch.url.host == PUBLIC_IP  # no second DNS answer can slip in between check and connect
    assert fetch.headers["host"] == "img.theapi.app"
    assert fetch.extensions["sni_hostname"] == "img.theapi.app"  # TLS still verifies the name
    assert resolver.calls == ["img.theapi.app"]
    assert kept.size == (tmp_path / "r.mp4").stat().st_size
    assert kept.content_type == "video/mp4"


@pytest.mark.parametrize("provider", REMOTE)
def test_it_keeps_a_result_on_a_public_host_no_document_names(provider, connect, emulators, transport, tmp_path):
    """No provider document names its result hosts (000-004; seeds README), so a list could only be a guess:
    by default any public https host is fetched, the address checks doing the guarding."""
    client, status = finished(connect, emulators, provider)
    unlisted = emulators.cdn.redirect("https://media.unlisted-cdn.example/out", status.video.url)
    moved = emulators.cdn.publish(
        "https://media.unlisted-cdn.example/out",
        b"\x00\x00\x00\x18ftypisom",
        suffix=".mp4",
        content_type="video/mp4",
        expires_at=emulators.clock.now() + 3600,
        expired_status=403,
    )

    kept = client.download(moved, tmp_path / "r.mp4")

    assert kept.url == moved
    assert transport.requests_to("media.unlisted-cdn.example")
    assert client.download(unlisted, tmp_path / "again.mp4").url == status.video.url


@pytest.mark.parametrize("provider", REMOTE)
def test_an_admin_allow_list_refuses_a_host_off_it_before_fetching(
    provider, connect, emulators, transport, resolver, tmp_path
):
    client, status = finished(
        connect,
        emulators,
        provider,
        "A lighthouse [[result-url=https://evil.example/x.mp4]]",
        allowed_result_hosts=(CDN_HOST[provider],),
    )

    with pytest.raises(UnsafeResultLink) as caught:
        client.download(status.video, tmp_path / "r.mp4")

    assert "evil.example, which is not one of the result hosts an admin allowed" in str(caught.value)
    assert "_RESULT_HOSTS" in str(caught.value)
    assert caught.value.permanent
    assert transport.requests_to("evil.example") == []
    assert resolver.calls == []
    assert not (tmp_path / "r.mp4").exists()


@pytest.mark.parametrize(
    "address, words",
    [
        ("10.0.0.5", "a private address (10.0.0.5)"),
        ("127.0.0.1", "a loopback address (127.0.0.1)"),
        ("169.254.169.254", "a link-local address (169.254.169.254)"),
        ("224.0.0.251", "a multicast address (224.0.0.251)"),
        ("100.64.0.7", "a non-public address (100.64.0.7)"),
        ("0.0.0.0", "an unspecified address (0.0.0.0)"),
        ("::1", "a loopback address (::1)"),
        ("fd00::5", "a private address (fd00::5)"),
        ("::ffff:10.0.0.5", "an IPv6-mapped private address (::ffff:10.0.0.5)"),
        ("64:ff9b::7f00:1", "an IPv6-mapped loopback address (64:ff9b::7f00:1)"),
    ],
)
def test_it_refuses_a_result_host_resolving_to_a_non_public_address(
    address, words, connect, emulators, transport, resolver, tmp_path
):
    client, status = finished(connect, emulators)
    resolver.answers["img.theapi.app"] = [address]

    with pytest.raises(UnsafeResultLink) as caught:
        client.download(status.video, tmp_path / "r.mp4")

    assert str(caught.value) == (
        f"PiAPI's result link points at img.theapi.app, which resolves to {words}; refusing to fetch it."
    )
    assert transport.requests_to("img.theapi.app") == []


def test_it_refuses_when_any_of_the_hosts_addresses_is_private(connect, emulators, transport, resolver, tmp_path):
    client, status = finished(connect, emulators)
    resolver.answers["img.theapi.app"] = [PUBLIC_IP, "192.168.1.20"]

    with pytest.raises(UnsafeResultLink, match=r"192\.168\.1\.20"):
        client.download(status.video, tmp_path / "r.mp4")
    assert transport.requests_to("img.theapi.app") == []


def test_it_refuses_a_private_ip_literal_even_when_listed(connect, transport, tmp_path):
    client = connect("piapi", allowed_result_hosts=("10.0.0.5",))

    with pytest.raises(UnsafeResultLink) as caught:
        client.download("https://10.0.0.5/result.mp4", tmp_path / "r.mp4")

    assert str(caught.value) == "PiAPI's result link points at a private address (10.0.0.5); refusing to fetch it."
    assert transport.requests == []


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://img.theapi.app/x.mp4", "plain http://"),
        ("ftp://img.theapi.app/x.mp4", "not an https:// link"),
        ("https://user:pw@img.theapi.app/x.mp4", "user name or password"),
        ("https://img.theapi.app.evil.example/x.mp4", "not one of"),
    ],
)
def test_it_refuses_links_it_must_not_follow(url, words, connect, transport, tmp_path):
    with pytest.raises(UnsafeResultLink, match=words):
        connect("piapi", allowed_result_hosts=("theapi.app",)).download(url, tmp_path / "r.mp4")
    assert transport.requests == []


@pytest.mark.parametrize("provider", REMOTE)
def test_it_says_an_expired_link_has_expired(provider, connect, emulators, tmp_path):
    client, status = finished(connect, emulators, provider)
    emulators.clock.advance(25 * 3600)

    with pytest.raises(ResultLinkExpired) as caught:
        client.download(status.video, tmp_path / "r.mp4")

    assert caught.value.permanent
    assert caught.value.status == EXPIRED_STATUS[provider]
    assert "result link has expired" in str(caught.value)
    assert not (tmp_path / "r.mp4").exists()


def test_it_refuses_a_redirect_off_an_admin_allow_list(connect, emulators, transport, tmp_path):
    client, _ = finished(connect, emulators, allowed_result_hosts=("theapi.app",))
    link = emulators.cdn.redirect("https://img.theapi.app/ephemeral", "https://evil.example/stolen.mp4")

    with pytest.raises(UnsafeResultLink, match=r"redirected to evil\.example, which is not one of"):
        client.download(link, tmp_path / "r.mp4")
    assert transport.requests_to("evil.example") == []


def test_it_refuses_a_redirect_to_a_listed_host_with_a_private_address(connect, emulators, resolver, tmp_path):
    client, _status = finished(connect, emulators)
    resolver.answers["internal.theapi.app"] = ["10.1.2.3"]
    link = emulators.cdn.redirect("https://img.theapi.app/ephemeral", "https://internal.theapi.app/x.mp4")

    with pytest.raises(UnsafeResultLink, match=r"redirected to internal\.theapi\.app, which resolves to a private"):
        client.download(link, tmp_path / "r.mp4")


def test_it_follows_redirects_within_the_list(connect, emulators, tmp_path):
    client, status = finished(connect, emulators)
    hop2 = emulators.cdn.redirect("https://img.theapi.app/ephemeral", status.video.url)
    hop1 = emulators.cdn.redirect("https://img.theapi.app/ephemeral", hop2)

    kept = client.download(hop1, tmp_path / "r.mp4")

    assert kept.url == status.video.url
    assert kept.path.read_bytes()[4:8] == b"ftyp"


def test_it_stops_after_three_redirects(connect, emulators, tmp_path):
    client, status = finished(connect, emulators)
    link = status.video.url
    for _ in range(4):
        link = emulators.cdn.redirect("https://img.theapi.app/ephemeral", link)

    with pytest.raises(UnsafeResultLink, match="redirected more than 3 times"):
        client.download(link, tmp_path / "r.mp4")


def test_it_refuses_a_result_larger_than_the_cap_it_declares(connect, emulators, tmp_path):
    client, status = finished(connect, emulators)

    with pytest.raises(UnsafeResultLink, match=r"more than the 0\.001 MB the studio keeps"):
        client.download(status.video, tmp_path / "kept" / "r.mp4", max_bytes=1000)
    assert not list((tmp_path / "kept").glob("*"))  # no partial file left behind


def _policy(**overrides) -> DownloadPolicy:
    return DownloadPolicy(allowed_hosts=("files.example.com",), provider="Acme", **overrides)


def _public(host, port):
    return [PUBLIC_IP]


def test_it_stops_a_stream_that_grows_past_the_cap(tmp_path):
    def endless(request):
        return httpx.Response(200, content=iter([b"x" * 600] * 10))  # no Content-Length

    http = Http(transport=httpx.MockTransport(endless), sleep=lambda s: None)

    with pytest.raises(UnsafeResultLink, match=r"grew past the 0\.001 MB"):
        download(
            "https://files.example.com/r.mp4",
            tmp_path / "kept" / "r.mp4",
            _policy(max_bytes=1000),
            http=http,
            resolve=_public,
        )
    assert not list((tmp_path / "kept").glob("*"))  # no partial file left behind


def test_it_retries_a_file_host_5xx_and_network_error_then_keeps_the_file(tmp_path):
    answers = [httpx.ConnectError("boom"), httpx.Response(503), httpx.Response(200, content=b"\x00\x00\x00\x18ftyp")]
    sleeps = []

    def flaky(request):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    http = Http(transport=httpx.MockTransport(flaky), sleep=sleeps.append, jitter=lambda: 0)

    kept = download("https://files.example.com/r.mp4", tmp_path / "r.mp4", _policy(), http=http, resolve=_public)

    assert kept.size == 8
    assert sleeps == [0.25, 0.5]


def test_it_gives_up_on_a_host_it_cannot_resolve_as_temporary(tmp_path):
    def nothing(host, port):
        raise OSError("Name or service not known")

    http = Http(transport=httpx.MockTransport(lambda r: httpx.Response(200)), sleep=lambda s: None)

    with pytest.raises(ProviderError, match="could not be resolved") as caught:
        download("https://files.example.com/r.mp4", tmp_path / "r.mp4", _policy(), http=http, resolve=nothing)
    assert not caught.value.permanent


def test_the_emulator_flag_allows_http_and_loopback(tmp_path):
    http = Http(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"data")))
    policy = DownloadPolicy(allowed_hosts=("127.0.0.1",), allow_http=True, allow_private_addresses=True)

    kept = download("http://127.0.0.1:8765/cdn/piapi/x.mp4", tmp_path / "r.mp4", policy, http=http)

    assert kept.size == 4


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("img.theapi.app", True),
        ("theapi.app", True),
        ("IMG.TheAPI.app.", True),
        ("a.b.theapi.app", True),
        ("eviltheapi.app", False),
        ("theapi.app.evil.com", False),
        ("theapi.ap", False),
    ],
)
def test_a_host_is_allowed_by_exact_or_subdomain_match(host, allowed):
    assert host_allowed(host, ("theapi.app",)) is allowed


def test_public_addresses_have_no_problem():
    assert address_problem(PUBLIC_IP) is None
    assert address_problem("2606:4700::6810:85e5") is None
