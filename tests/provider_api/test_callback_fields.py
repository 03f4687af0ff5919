"""Each wire module's callback: the URLs its provider accepts (`accepts_callback`, what the worker asks before it
offers one) and the fields its create body carries, from the examples in the provider documents."""

from __future__ import annotations

import pytest

from seedance_studio.provider_api import make_config, wire
from tests.provider_api.harness import REMOTE, body_for

HTTPS = "https://studio.example.com/webhooks/piapi/t0k3n/"
HTTP = "http://studio.example.com/webhooks/piapi/t0k3n/"


@pytest.mark.parametrize(
    "provider, url, accepted",
    [
        # PiAPI, GoAPI, the Seedance2 API: the documents put no condition on the URL (000:494-499, 001:404-409,
        # 002:151).
        *[(provider, url, True) for provider in ("piapi", "goapi", "seedance2") for url in (HTTPS, HTTP)],
        ("hiapi", HTTPS, True),
        ("hiapi", HTTP, False),  # "HTTPS URL that receives terminal task notifications" (003:130-132)
        ("evolink", "https://your-domain.com/webhooks/video-task-completed", True),  # 004:75
        ("evolink", "http://your-domain.com/hook", False),  # 004:72, https only
        ("evolink", "https://x.example/" + "a" * 2030, True),  # 2048 characters exactly
        ("evolink", "https://x.example/" + "a" * 2031, False),  # 004:73, at most 2048
        *[(provider, "ftp://studio.example.com/hook", False) for provider in REMOTE],
        *[(provider, "https:///no-host", False) for provider in REMOTE],
    ],
)
def test_it_says_which_callback_urls_a_provider_accepts(provider, url, accepted):
    assert wire(provider).accepts_callback(url) is accepted


@pytest.mark.parametrize("provider", REMOTE)
def test_it_refuses_to_build_a_create_with_a_callback_url_the_provider_does_not_accept(provider):
    config = make_config(provider, "key")
    with pytest.raises(ValueError, match=r"callback|webhook|callBackUrl"):
        wire(provider).build_create(body_for(provider), config, "ftp://studio.example.com/hook")


@pytest.mark.parametrize("provider", ["piapi", "goapi"])
def test_unified_callbacks_carry_the_endpoint_and_the_secret_in_webhook_config(provider):
    # 000:494-499, 001:404-409; the secret comes back in `x-webhook-secret` (seeds/README.md).
    config = make_config(provider, "key", webhook_secret="account-secret")
    body = body_for(provider)
    sent = wire(provider).build_create(body, config, HTTPS, "job-secret").json
    assert sent == {**body, "config": {"webhook_config": {"endpoint": HTTPS, "secret": "job-secret"}}}
    account = wire(provider).build_create(body, config, HTTPS).json
    assert account["config"]["webhook_config"]["secret"] == "account-secret"


def test_a_seedance2_callback_is_a_top_level_callbackurl():
    # 002:166-173.
    body = body_for("seedance2", prompt="A cat playing piano")
    sent = (
        wire("seedance2")
        .build_create(body, make_config("seedance2", "key"), "https://your-server.com/webhook/seedance")
        .json
    )
    assert sent == {**body, "callBackUrl": "https://your-server.com/webhook/seedance"}


def test_a_hiapi_callback_asks_for_the_final_notification():
    # 003:178-192.
    body = body_for("hiapi")
    sent = wire("hiapi").build_create(body, make_config("hiapi", "key"), "https://your-domain.com/hiapi/callback").json
    assert sent == {**body, "callback": {"url": "https://your-domain.com/hiapi/callback", "when": "final"}}


def test_an_evolink_callback_is_a_top_level_callback_url():
    # 004:70-75.
    body = body_for("evolink")
    url = "https://your-domain.com/webhooks/video-task-completed"
    assert wire("evolink").build_create(body, make_config("evolink", "key"), url).json == {**body, "callback_url": url}


@pytest.mark.parametrize("provider", REMOTE)
def test_without_a_callback_url_the_body_is_the_cores_own(provider):
    body = body_for(provider)
    assert wire(provider).build_create(body, make_config(provider, "key")).json == body
