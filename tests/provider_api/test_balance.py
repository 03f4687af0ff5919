"""`ProviderClient.account_balance()`: the Seedance2 API's `GET /api/v1/account/credits` (002:41, 002:160,
002:212-216) through the one HTTP layer, and None without a request for providers that document no balance."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from seedance_studio.provider_api import AccountBalance, Http, ProviderError, client_for, make_config
from seedance_studio.seedance.pricing import SEEDANCE2_CREDITS
from tests.provider_api.harness import body_for, finish

CREDITS_URL = "https://seedance2-ai.ai/api/v1/account/credits"


def test_it_reads_the_seedance2_balance_with_the_documented_request(connect, emulators, transport):
    balance = connect("seedance2").account_balance()

    assert balance == AccountBalance(Decimal(5000), SEEDANCE2_CREDITS)
    assert balance.raw == {"credits": 5000, "availableCredits": 5000}
    (sent,) = transport.requests
    assert (sent.method, str(sent.url)) == ("GET", CREDITS_URL)
    assert sent.headers["authorization"] == f"Bearer {emulators.keys['seedance2']}"


def test_the_balance_follows_a_task_from_hold_to_charge(connect, emulators):
    client = connect("seedance2")
    task_id = client.create(body_for("seedance2"))

    held = client.account_balance()
    finish(emulators)
    charged = client.status(task_id).reported_cost
    after = client.account_balance()

    # The document's own figures (002:214-215): 200 credits promised to a 5 s task still running.
    assert held.raw == {"credits": 5000, "availableCredits": 4800}
    assert held.amount == Decimal(4800)
    assert after.raw == {"credits": 4800, "availableCredits": 4800}
    assert Decimal(after.raw["credits"]) == Decimal(5000) - charged.amount


@pytest.mark.parametrize("provider", ("piapi", "goapi", "hiapi", "evolink"))
def test_a_provider_without_a_documented_balance_answers_none_without_a_request(provider, connect, transport):
    assert connect(provider).account_balance() is None
    assert transport.requests == []


def test_a_refused_key_on_the_balance_call_is_the_usual_permanent_error(connect):
    with pytest.raises(ProviderError) as caught:
        connect("seedance2", api_key="sk-wrong-key-4242").account_balance()

    assert caught.value.status == 401
    assert caught.value.permanent
    assert caught.value.provider_message == "Invalid or missing API key"
    assert "sk-wrong-key-4242" not in str(caught.value)


def scripted(*answers: httpx.Response):
    """A Seedance2 client whose transport plays `answers` in order; returns (client, requests seen, sleeps)."""
    queue, seen, sleeps = list(answers), [], []

    def play(request):
        seen.append(request)
        return queue.pop(0)

    http = Http(transport=httpx.MockTransport(play), sleep=sleeps.append, jitter=lambda: 0.0)
    return client_for("seedance2", make_config("seedance2", "sk-test-0123456789"), http=http), seen, sleeps


def test_the_balance_read_is_retried_like_any_safe_get():
    client, seen, sleeps = scripted(
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "2"}),
        httpx.Response(200, json={"credits": 900, "availableCredits": 850}),
    )

    assert client.account_balance().amount == Decimal(850)
    assert len(seen) == 3
    assert sleeps == [0.25, 2.0]  # backoff (0.5 s, equal jitter at 0), then the Retry-After


def test_an_out_of_credits_answer_on_the_balance_call_is_not_repeated():
    client, seen, _ = scripted(httpx.Response(402, json={"message": "Insufficient credits"}))

    with pytest.raises(ProviderError) as caught:
        client.account_balance()

    assert caught.value.status == 402 and not caught.value.permanent
    assert len(seen) == 1


@pytest.mark.parametrize(
    "answer",
    [{}, {"credits": 5000}, {"credits": 5000, "availableCredits": "plenty"}, {"availableCredits": None}, [4800]],
)
def test_an_unreadable_balance_answer_is_a_temporary_error_not_a_guess(answer):
    client, _, _ = scripted(httpx.Response(200, json=answer))

    with pytest.raises(ProviderError, match="availableCredits") as caught:
        client.account_balance()

    assert not caught.value.permanent
