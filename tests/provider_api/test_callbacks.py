"""Callbacks as each provider sends them (captured from the emulators' outbox), good and forged."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from seedance_studio.emulators import Emulators, emulator_transport
from seedance_studio.provider_api import CallbackRejected, Http, client_for, make_config
from seedance_studio.provider_api.hiapi import sign
from tests.provider_api.harness import CALLBACK_URL, HIAPI_SIGNING_KEY, body_for, finish


def delivered(connect, emulators, provider: str, prompt: str = "A lighthouse at dawn", **client_options):
    client = connect(provider, **client_options)
    task_id = client.create(body_for(provider, prompt=prompt), callback_url=CALLBACK_URL)
    finish(emulators)
    (callback,) = emulators.outbox
    assert callback.url == CALLBACK_URL
    return client, task_id, callback


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_it_trusts_a_callback_carrying_the_webhook_secret(provider, connect, emulators):
    client, task_id, callback = delivered(connect, emulators, provider)

    hint = client.callback(callback.headers, callback.body)

    assert hint.trusted
    assert hint.task_id == task_id
    assert hint.status.state == "succeeded"
    assert hint.status.video.url.startswith("https://img.theapi.app/")
    assert hint.delivered_at == emulators.clock.now() // 1


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_it_rejects_a_callback_with_a_forged_or_missing_secret(provider, connect, emulators):
    client, _, callback = delivered(connect, emulators, provider)
    forged = {**callback.headers, "x-webhook-secret": "guessed"}
    missing = {k: v for k, v in callback.headers.items() if k.lower() != "x-webhook-secret"}

    with pytest.raises(CallbackRejected, match="does not match"):
        client.callback(forged, callback.body)
    with pytest.raises(CallbackRejected):
        client.callback(missing, callback.body)


def test_it_reads_the_moderation_reason_from_a_trusted_callback(connect, emulators):
    client, _, callback = delivered(connect, emulators, "piapi", prompt="A beach [[moderation=nudity]]")

    hint = client.callback(callback.headers, callback.body)

    assert hint.status.state == "failed" and hint.status.moderation
    assert "nudity" in hint.status.error


def test_it_takes_only_the_task_id_from_an_unverifiable_piapi_callback(connect, emulators):
    client, task_id, callback = delivered(connect, emulators, "piapi", webhook_secret="")

    hint = client.callback(callback.headers, callback.body)

    assert (hint.task_id, hint.trusted, hint.status) == (task_id, False, None)


def test_it_trusts_a_hiapi_callback_with_a_good_signature(connect, emulators):
    client, task_id, callback = delivered(connect, emulators, "hiapi")

    hint = client.callback(callback.headers, callback.body, now=emulators.clock.now())

    assert hint.trusted
    assert hint.task_id == task_id
    assert hint.status.state == "succeeded"


def test_it_rejects_a_hiapi_callback_whose_body_was_changed(connect, emulators):
    client, _, callback = delivered(connect, emulators, "hiapi")
    tampered = callback.body.replace(b'"success"', b'"fail"')

    with pytest.raises(CallbackRejected, match="signature does not match"):
        client.callback(callback.headers, tampered, now=emulators.clock.now())


def test_it_rejects_a_hiapi_callback_signed_with_another_key(connect, emulators):
    client, _, callback = delivered(connect, emulators, "hiapi")
    stamp = callback.headers["X-HiAPI-Timestamp"]
    forged = {**callback.headers, "X-HiAPI-Signature": sign("someone-elses-key", stamp, callback.body)}

    with pytest.raises(CallbackRejected, match="signature does not match"):
        client.callback(forged, callback.body, now=emulators.clock.now())


@pytest.mark.parametrize("skew", (-301, 301))
def test_it_rejects_a_hiapi_callback_more_than_five_minutes_off(skew, connect, emulators):
    client, _, callback = delivered(connect, emulators, "hiapi")

    with pytest.raises(CallbackRejected, match="more than 5 minutes"):
        client.callback(callback.headers, callback.body, now=emulators.clock.now() + skew)


def test_it_accepts_a_hiapi_callback_within_five_minutes(connect, emulators):
    client, _, callback = delivered(connect, emulators, "hiapi")

    assert client.callback(callback.headers, callback.body, now=emulators.clock.now() + 299).trusted


def test_it_rejects_an_unsigned_hiapi_callback_when_a_key_is_configured(connect, emulators):
    client, _, callback = delivered(connect, emulators, "hiapi")
    unsigned = {"Content-Type": "application/json"}

    with pytest.raises(CallbackRejected, match="not signed"):
        client.callback(unsigned, callback.body, now=emulators.clock.now())


def test_it_treats_hiapi_callbacks_as_hints_when_the_account_has_no_signing_key():
    emulators = Emulators()  # no signing key: HiAPI sends unsigned callbacks
    http = Http(transport=emulator_transport(emulators), sleep=emulators.clock.sleep)
    client = client_for("hiapi", make_config("hiapi", emulators.keys["hiapi"]), http=http)
    task_id = client.create(body_for("hiapi"), callback_url=CALLBACK_URL)
    finish(emulators)
    (callback,) = emulators.outbox

    hint = client.callback(callback.headers, callback.body)

    assert "X-HiAPI-Signature" not in callback.headers
    assert (hint.task_id, hint.trusted, hint.status) == (task_id, False, None)


@pytest.mark.parametrize("provider", ("seedance2", "evolink"))
def test_it_never_trusts_an_unsigned_provider_callback_and_rereads_the_task(provider, connect, emulators):
    client, task_id, callback = delivered(connect, emulators, provider)
    lie = json.loads(callback.body) | {"status": "FAILED" if provider == "seedance2" else "failed"}

    hint = client.callback({}, json.dumps(lie).encode())

    assert (hint.task_id, hint.trusted, hint.status) == (task_id, False, None)
    assert client.status(hint.task_id).state == "succeeded"  # the provider's API is the truth


@pytest.mark.parametrize("provider", ("piapi", "hiapi", "seedance2", "evolink"))
def test_it_rejects_a_callback_that_is_not_json_or_names_no_task(provider, connect, emulators):
    client = connect(provider, webhook_secret="", signing_key="")

    with pytest.raises(CallbackRejected):
        client.callback({}, b"<html>")
    with pytest.raises(CallbackRejected, match="names no task"):
        client.callback({}, b"{}")


def test_it_sends_each_callback_once(connect, emulators):
    client = connect("evolink")
    task_id = client.create(body_for("evolink"), callback_url=CALLBACK_URL)
    finish(emulators)
    finish(emulators)
    client.status(task_id)

    assert len(emulators.outbox) == 1


def test_the_hiapi_signature_is_hex_hmac_sha256_over_timestamp_dot_body():
    body = b'{"taskId": "tk-hiapi-1"}'
    expected = hmac.new(HIAPI_SIGNING_KEY.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()

    assert sign(HIAPI_SIGNING_KEY, "1700000000", body) == expected
