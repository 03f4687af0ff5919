"""The HTTP layer on its own: which failures are repeated, how long it waits, what it never says."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from seedance_studio.provider_api import Http, OutcomeUnknown, ProviderError, RetryPolicy, WireRequest, make_config
from seedance_studio.provider_api import http as http_layer
from seedance_studio.provider_api.http import parse_retry_after

KEY = "sk-live-SECRET-0123456789"
READ = WireRequest("GET", "https://api.example.com/v1/tasks/1", {"Authorization": f"Bearer {KEY}"})
CREATE = WireRequest("POST", "https://api.example.com/v1/tasks", {"Authorization": f"Bearer {KEY}"}, {"a": 1})


def layer(*answers, **options):
    """An Http whose transport plays `answers` in order; `.seen` counts requests, `.sleeps` records waits."""
    queue = list(answers)
    seen, sleeps = [], []

    def play(request):
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    options.setdefault("jitter", lambda: 0.0)
    http = Http(transport=httpx.MockTransport(play), sleep=sleeps.append, **options)
    http.seen, http.sleeps = seen, sleeps
    return http


def test_it_reads_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC), usegmt=True), now) == 30
    assert parse_retry_after(format_datetime(datetime(2025, 1, 1, tzinfo=UTC), usegmt=True), now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_it_honours_an_http_date_retry_after():
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    when = format_datetime(datetime(2026, 1, 1, 0, 0, 3, tzinfo=UTC), usegmt=True)
    http = layer(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json={"ok": 1}), clock=lambda: now
    )

    assert http.read(READ) == {"ok": 1}
    assert http.sleeps == [3.0]


def test_it_hands_a_long_retry_after_back_instead_of_sleeping():
    http = layer(httpx.Response(429, headers={"Retry-After": "600"}))

    with pytest.raises(ProviderError) as caught:
        http.read(READ)

    assert caught.value.retry_after == 600
    assert not caught.value.permanent
    assert http.sleeps == []


def test_it_backs_off_exponentially_with_a_cap():
    http = layer(
        *[httpx.Response(502)] * 5,
        httpx.Response(200, json={}),
        retry=RetryPolicy(attempts=6, base_delay=1, max_delay=5),
        jitter=lambda: 1.0,
    )

    http.read(READ)

    assert http.sleeps == [1, 2, 4, 5, 5]


def test_it_spreads_waits_with_jitter():
    http = layer(httpx.Response(500), httpx.Response(500), httpx.Response(200, json={}), jitter=lambda: 0.0)

    http.read(READ)

    assert http.sleeps == [0.25, 0.5]  # half of 0.5 s and 1 s: never zero, never more than the backoff


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("slow"), httpx.ConnectError("down"), httpx.Response(408)])
def test_it_retries_network_errors_and_408_on_reads(failure):
    http = layer(failure, httpx.Response(200, json={"ok": 1}))

    assert http.read(READ) == {"ok": 1}
    assert len(http.seen) == 2


@pytest.mark.parametrize("status", (400, 401, 403, 404, 422))
def test_it_never_repeats_a_4xx(status):
    http = layer(httpx.Response(status, json={"message": "no"}))

    with pytest.raises(ProviderError) as caught:
        http.read(READ)

    assert caught.value.permanent
    assert len(http.seen) == 1


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(503),
        httpx.Response(500),
        httpx.Response(408),
        httpx.ReadTimeout("lost"),
        httpx.RemoteProtocolError("closed"),
        httpx.Response(200, text="<html>oops</html>"),
    ],
)
def test_it_sends_a_create_once_and_reports_a_lost_answer_as_outcome_unknown(answer):
    http = layer(answer, httpx.Response(200, json={"id": "second"}))

    with pytest.raises(OutcomeUnknown):
        http.create(CREATE)

    assert len(http.seen) == 1
    assert http.sleeps == []


def test_outcome_unknown_is_not_a_provider_error_so_no_retry_loop_can_resend_it():
    assert not issubclass(OutcomeUnknown, ProviderError)


def test_a_create_429_is_a_temporary_refusal_not_an_unknown_outcome():
    http = layer(httpx.Response(429, headers={"Retry-After": "5"}, json={"message": "slow down"}))

    with pytest.raises(ProviderError) as caught:
        http.create(CREATE)

    assert (caught.value.permanent, caught.value.retry_after, len(http.seen)) == (False, 5, 1)


def test_it_never_puts_the_api_key_in_a_message_or_a_log_line(caplog):
    echo = httpx.Response(401, json={"message": f"Invalid API key {KEY}"})
    http = layer(echo)

    with caplog.at_level(logging.DEBUG), pytest.raises(ProviderError) as caught:
        http.create(CREATE, provider="Acme")

    assert KEY not in str(caught.value)
    assert "[redacted]" in str(caught.value)
    assert KEY not in caplog.text


def test_a_config_never_shows_its_secrets():
    config = make_config("piapi", KEY, webhook_secret="whsec-hidden")

    assert KEY not in repr(config)
    assert "whsec-hidden" not in repr(config)


def test_it_sets_every_timeout_explicitly():
    timeout = Http().client.timeout

    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (5.0, 30.0, 30.0, 5.0)


def test_one_layer_is_shared_per_process_and_can_be_replaced():
    mine = Http(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    previous = http_layer.install(mine)
    try:
        assert http_layer.shared() is mine
        assert http_layer.shared() is http_layer.shared()
    finally:
        http_layer.install(previous)


@pytest.mark.parametrize("base_url", ("api.example.com", "ftp://api.example.com"))
def test_a_base_url_without_https_is_a_configuration_error_not_an_unknown_outcome(base_url):
    http = Http()  # the real transport: it refuses the scheme before opening any connection
    request = WireRequest("POST", f"{base_url}/v1/tasks", {}, {})

    with pytest.raises(ProviderError, match="base URL") as caught:
        http.create(request, provider="Acme")
    assert caught.value.permanent


@pytest.mark.parametrize("status", (503, 500))
def test_a_create_status_documented_as_retry_is_a_temporary_refusal_sent_once(status):
    """HiAPI: "503 means retry later" (shared/seeds/README.md:22); the Seedance2 API: 500 "Retry after a few
    seconds" (002_f203a5308ec3fedc.txt:225). Passed in `retry_statuses`, such a status says nothing was created:
    a non-permanent ProviderError carrying Retry-After, never repeated inside the layer (the worker re-queues)."""
    http = layer(
        httpx.Response(status, headers={"Retry-After": "7"}, json={"message": f"busy, key {KEY}"}),
        httpx.Response(200, json={"id": "second"}),
    )

    with pytest.raises(ProviderError) as caught:
        http.create(CREATE, provider="Acme", retry_statuses=frozenset({status}))

    error = caught.value
    assert (error.permanent, error.retryable, error.status, error.retry_after) == (False, False, status, 7)
    assert "nothing was created" in error.message and KEY not in error.message
    assert len(http.seen) == 1 and http.sleeps == []


@pytest.mark.parametrize("answer", [httpx.Response(502), httpx.Response(500), httpx.ReadTimeout("lost")])
def test_an_undocumented_5xx_or_a_lost_answer_stays_unknown_whatever_the_retry_statuses(answer):
    """Only the statuses a document names (README.md:22: HiAPI's 503) mean "not created"; a timeout or another
    5xx may hide a task."""
    http = layer(answer)

    with pytest.raises(OutcomeUnknown):
        http.create(CREATE, retry_statuses=frozenset({503}))
    assert len(http.seen) == 1
