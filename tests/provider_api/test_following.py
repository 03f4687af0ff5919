"""Create, follow and read each provider's task through the real wire module and the real HTTP layer."""

from __future__ import annotations

import copy
import json

import pytest

from seedance_studio.provider_api import OutcomeUnknown, ProviderError, wire
from tests.provider_api.harness import REMOTE, WEBHOOK_SECRET, body_for, creates, finish

BAD_DURATION = {  # where each provider's body carries the duration, and a value its emulator refuses
    "piapi": (("input", "duration"), 99),
    "goapi": (("input", "duration"), 99),
    "seedance2": (("inputs", "duration"), "99s"),
    "hiapi": (("input", "duration"), 99),
    "evolink": (("duration",), 99),
}


def with_value(body: dict, path: tuple[str, ...], value) -> dict:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize("provider", REMOTE)
def test_it_follows_a_task_to_its_video_by_polling(provider, connect, emulators, tmp_path):
    client = connect(provider)
    task_id = client.create(body_for(provider))

    assert client.status(task_id).state == "queued"
    emulators.clock.advance(5)
    assert client.status(task_id).state == "running"
    finish(emulators)
    status = client.status(task_id)

    assert status.state == "succeeded"
    assert status.error is None and not status.moderation
    kept = client.download(status.video, tmp_path / "result.mp4")
    assert kept.path.read_bytes()[4:8] == b"ftyp"  # a real MP4
    assert emulators[provider].create_calls == 1


def test_it_shows_evolink_progress_and_estimate_while_running(connect, emulators):
    client = connect("evolink")
    task_id = client.create(body_for("evolink"))
    assert client.status(task_id).eta_seconds == 10  # queued 2 s + running 8 s

    emulators.clock.advance(6)
    running = client.status(task_id)

    assert running.state == "running"
    assert running.progress == 0.5
    assert running.eta_seconds == 4


@pytest.mark.parametrize("provider", ("piapi", "goapi", "seedance2", "hiapi"))
def test_it_invents_no_progress_where_the_provider_gives_none(provider, connect, emulators):
    client = connect(provider)
    task_id = client.create(body_for(provider))
    emulators.clock.advance(6)

    assert client.status(task_id).progress is None


@pytest.mark.parametrize("provider", REMOTE)
def test_it_names_a_moderation_refusal_with_the_providers_reason(provider, connect, emulators):
    client = connect(provider)
    task_id = client.create(body_for(provider, prompt="A red carpet walk [[moderation=celebrity likeness]]"))
    finish(emulators)

    status = client.status(task_id)

    assert status.state == "failed"
    assert status.moderation
    assert "celebrity likeness" in status.error


@pytest.mark.parametrize("provider", REMOTE)
def test_it_reports_a_plain_failure_with_its_reason_and_not_as_moderation(provider, connect, emulators):
    client = connect(provider)
    task_id = client.create(body_for(provider, prompt="A lighthouse at dawn [[fail=upstream GPU lost]]"))
    finish(emulators)

    status = client.status(task_id)

    assert status.state == "failed"
    assert not status.moderation
    assert "upstream GPU lost" in status.error


@pytest.mark.parametrize("provider", REMOTE)
def test_it_fails_a_bad_request_with_the_providers_own_message(provider, connect, emulators):
    path, value = BAD_DURATION[provider]
    body = with_value(body_for(provider), path, value)

    with pytest.raises(ProviderError) as caught:
        connect(provider).create(body)

    assert caught.value.permanent
    assert caught.value.status == 400
    assert "duration" in caught.value.provider_message
    assert caught.value.provider_message in caught.value.message
    assert emulators[provider].create_calls == 1
    assert not emulators[provider].tasks


@pytest.mark.parametrize("provider", ("piapi", "goapi", "hiapi", "evolink"))
def test_it_fails_a_missing_prompt_with_the_providers_own_message(provider, connect):
    body = body_for(provider)
    path = ("prompt",) if provider == "evolink" else ("input", "prompt")

    with pytest.raises(ProviderError) as caught:
        connect(provider).create(with_value(body, path, ""))

    assert caught.value.status == 400
    assert "prompt" in caught.value.provider_message


def test_it_fails_a_seedance2_text_to_video_without_prompt(connect):
    body = body_for("seedance2")
    del body["inputs"]["prompt"]

    with pytest.raises(ProviderError) as caught:
        connect("seedance2").create(body)

    assert caught.value.provider_message == "prompt is required for text-to-video"


@pytest.mark.parametrize("provider", REMOTE)
def test_it_refuses_a_wrong_api_key_without_repeating_it(provider, connect):
    with pytest.raises(ProviderError) as caught:
        connect(provider, api_key="sk-wrong-key-4242").create(body_for(provider))

    assert caught.value.status == 401
    assert caught.value.permanent
    assert "sk-wrong-key-4242" not in str(caught.value)


@pytest.mark.parametrize("provider", REMOTE)
def test_it_waits_out_a_429_on_a_status_read_then_succeeds(provider, connect, emulators, transport):
    emulators[provider].scenario.retry_after = "2"
    client = connect(provider)
    task_id = client.create(body_for(provider, prompt="A lighthouse at dawn [[429-then-ok]]"))

    status = client.status(task_id)

    assert status.state == "running"  # the 2 s wait moved emulated time past the 2 s queue
    assert emulators.clock.sleeps == [2.0]  # Retry-After honoured, no backoff guess
    assert len([r for r in transport.requests if r.method == "GET"]) == 2


@pytest.mark.parametrize("provider", REMOTE)
def test_it_retries_5xx_on_status_reads_with_backoff_then_succeeds(provider, connect, emulators, transport):
    emulators[provider].scenario.retry_after = None
    client = connect(provider)
    task_id = client.create(body_for(provider, prompt="A lighthouse at dawn [[status-503-twice]]"))
    finish(emulators)

    status = client.status(task_id)

    assert status.state == "succeeded"
    assert emulators.clock.sleeps == [0.375, 0.75]  # 0.5 s doubling, equal jitter at 0.5
    assert len([r for r in transport.requests if r.method == "GET"]) == 3


def test_it_gives_up_after_its_attempts_with_a_temporary_error(connect, emulators):
    emulators.piapi.scenario.status_failures = [500] * 10
    client = connect("piapi")
    task_id = client.create(body_for("piapi"))

    with pytest.raises(ProviderError) as caught:
        client.status(task_id)

    assert not caught.value.permanent
    assert caught.value.status == 500
    assert len(emulators.clock.sleeps) == 3  # four attempts in all


@pytest.mark.parametrize("provider", REMOTE)
def test_it_turns_a_create_timeout_into_outcome_unknown_with_one_create_call(provider, connect, emulators, transport):
    with pytest.raises(OutcomeUnknown) as caught:
        connect(provider).create(body_for(provider, prompt="A lighthouse at dawn [[timeout-create]]"))

    assert "looked up instead of sent again" in str(caught.value)
    assert len(creates(transport)) == 1
    assert emulators[provider].create_calls == 1
    assert len(emulators[provider].tasks) == 1  # the provider did make it: reconcile, never resend
    assert emulators.clock.sleeps == []


@pytest.mark.parametrize("provider", [p for p in REMOTE if p != "seedance2"])  # 002:225 documents its 500
def test_it_turns_a_create_500_into_outcome_unknown_with_one_create_call(provider, connect, emulators, transport):
    with pytest.raises(OutcomeUnknown) as caught:
        connect(provider).create(body_for(provider, prompt="A lighthouse at dawn [[fail-create-500]]"))

    assert caught.value.status == 500
    assert len(creates(transport)) == 1
    assert emulators.clock.sleeps == []


def test_it_keeps_a_seedance2_concurrency_refusal_temporary(connect, emulators):
    client = connect("seedance2")
    for _ in range(3):
        client.create(body_for("seedance2"))

    with pytest.raises(ProviderError) as caught:
        client.create(body_for("seedance2"))

    assert caught.value.status == 429
    assert not caught.value.permanent
    assert "Concurrency limit" in caught.value.message
    assert len(emulators.seedance2.tasks) == 3


def test_it_keeps_an_out_of_credits_refusal_temporary(connect, emulators):
    with pytest.raises(ProviderError) as caught:
        connect("seedance2").create(body_for("seedance2", prompt="A lighthouse at dawn [[fail-create-402]]"))

    assert caught.value.status == 402
    assert not caught.value.permanent
    assert "out of credits" in caught.value.message


def test_it_says_nothing_was_sent_when_the_provider_cannot_be_reached(connect):
    client = connect("piapi", base_url="https://api.unreachable.example")

    with pytest.raises(ProviderError) as caught:
        client.create(body_for("piapi"))

    assert not caught.value.permanent
    assert "nothing was sent" in caught.value.message


def test_it_sends_the_core_body_with_the_documented_auth_and_callback(connect, transport):
    connect("piapi").create(body_for("piapi"), callback_url="https://studio.example.com/hooks/1")
    connect("hiapi").create(body_for("hiapi"), callback_url="https://studio.example.com/hooks/2")
    sent_piapi, sent_hiapi = creates(transport)

    assert sent_piapi.url == "https://api.piapi.ai/api/v1/task"
    assert sent_piapi.headers["x-api-key"] == "piapi-emulator-key"
    assert "authorization" not in sent_piapi.headers
    assert json.loads(sent_piapi.content)["config"] == {
        "webhook_config": {"endpoint": "https://studio.example.com/hooks/1", "secret": WEBHOOK_SECRET}
    }
    assert sent_hiapi.url == "https://api.hiapi.ai/v1/tasks"
    assert sent_hiapi.headers["authorization"] == "Bearer hiapi-emulator-key"
    assert json.loads(sent_hiapi.content)["callback"] == {"url": "https://studio.example.com/hooks/2", "when": "final"}


@pytest.mark.parametrize(
    "provider, answer",
    [
        ("piapi", {"code": 400, "data": None, "message": "prompt is required"}),
        ("hiapi", {"code": 400, "message": "prompt is required", "data": None, "error_code": "INVALID_REQUEST"}),
        ("seedance2", {"message": "prompt is required"}),
        ("evolink", {"error": {"code": "invalid_parameters", "message": "prompt is required"}}),
    ],
)
def test_parse_create_raises_the_providers_own_words_for_an_error_answer(provider, answer):
    with pytest.raises(ProviderError) as caught:
        wire(provider).parse_create(answer)

    assert caught.value.permanent
    assert caught.value.provider_message == "prompt is required"


@pytest.mark.parametrize(
    "provider, answer",
    [
        ("piapi", {"code": 200, "data": {}}),
        ("seedance2", {}),
        ("hiapi", {"code": 200, "data": None}),
        ("evolink", {"object": "x"}),
    ],
)
def test_parse_create_calls_an_answer_without_task_id_an_unknown_outcome(provider, answer):
    with pytest.raises(OutcomeUnknown):
        wire(provider).parse_create(answer)


def test_parse_create_calls_a_5xx_envelope_an_unknown_outcome():
    with pytest.raises(OutcomeUnknown):
        wire("hiapi").parse_create({"code": 503, "message": "busy", "data": None})


@pytest.mark.parametrize("provider, status", [("hiapi", 503), ("seedance2", 500)])
def test_it_turns_a_documented_retry_status_on_create_into_a_temporary_refusal(
    provider, status, connect, emulators, transport
):
    """HiAPI: "503 means retry later" (shared/seeds/README.md:22); Seedance2 API: 500 "Retry after a few seconds"
    (002_f203a5308ec3fedc.txt:225). Each wire module declares it in CREATE_RETRY_STATUSES."""
    emulators[provider].scenario.create_failures = [status]

    with pytest.raises(ProviderError) as caught:
        connect(provider).create(body_for(provider))

    assert {status} == wire(provider).CREATE_RETRY_STATUSES
    assert (caught.value.permanent, caught.value.status) == (False, status)
    assert "nothing was created" in caught.value.message
    assert len(creates(transport)) == 1 and not emulators[provider].tasks
    assert emulators.clock.sleeps == []  # not repeated inline: the worker re-queues the job


def test_it_reads_hiapis_503_envelope_on_create_as_a_temporary_refusal():
    """The same "503 means retry later" (shared/seeds/README.md:22) as the `code` of an envelope answered with
    HTTP 200; an undocumented 5xx code stays an unknown outcome."""
    import httpx

    from seedance_studio.provider_api import Http, client_for, make_config

    answers = [
        {"code": 503, "message": "busy", "data": None, "error_code": "SERVICE_UNAVAILABLE"},
        {"code": 500, "message": "oops", "data": None},
    ]
    http = Http(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answers.pop(0))))
    client = client_for("hiapi", make_config("hiapi", "hiapi-key"), http=http)

    with pytest.raises(ProviderError) as caught:
        client.create(body_for("hiapi"))
    assert (caught.value.permanent, caught.value.status, caught.value.provider_message) == (False, 503, "busy")
    with pytest.raises(OutcomeUnknown):
        client.create(body_for("hiapi"))


def test_hiapi_refuses_a_plain_http_callback_url_before_anything_is_sent(connect, transport):
    """callback.url: "HTTPS URL that receives terminal task notifications" (003_bc94c502d4abd21f.txt:130-132).
    The worker asks `accepts_callback` first and follows by polling instead (studio.callbacks.callback_url)."""
    client = connect("hiapi")

    with pytest.raises(ValueError, match="https"):
        client.create(body_for("hiapi"), callback_url="http://studio.example.com/hooks/1")
    assert not creates(transport)
    assert (
        wire("hiapi")
        .build_create(body_for("hiapi"), client.config, "https://studio.example.com/hooks/1")
        .json["callback"]["url"]
        == "https://studio.example.com/hooks/1"
    )


def _unified_failed(error: dict) -> dict:
    return {
        "code": 200,
        "message": "success",
        "data": {
            "task_id": "t-1",
            "status": "failed",
            "output": None,
            "meta": {},
            "error": {"code": 10000, "detail": None, **error},
        },
    }


@pytest.mark.parametrize("provider", ["piapi", "goapi"])
@pytest.mark.parametrize(
    "error, shown, moderated",
    [
        ({"message": "task failed", "raw_message": "content moderation failed"}, "content moderation failed", True),
        ({"message": "Task failed.", "raw_message": "upstream timeout"}, "upstream timeout", False),
        ({"message": "", "raw_message": "upstream timeout"}, "upstream timeout", False),
        ({"message": "task failed", "raw_message": ""}, "task failed", False),
        (
            {"message": "content violation: nudity", "raw_message": "moderation: nsfw"},
            "content violation: nudity",
            True,
        ),
    ],
)
def test_it_shows_raw_message_when_the_unified_error_message_is_generic(provider, error, shown, moderated):
    """The task's error object is `{code, raw_message, message, detail}` (000_9ea3d46214601d5a.txt:586-591,
    001_972d478171c6ac8f.txt:496-501): a generic `message` gives way to `raw_message`, the provider's reason."""
    status = wire(provider).parse_status(_unified_failed(error))

    assert (status.state, status.error, status.moderation) == ("failed", shown, moderated)
