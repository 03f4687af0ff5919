"""The emulators as a provider's client sees them on the wire: paths, auth, errors, statuses, shapes."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from seedance_studio.emulators import DEFAULT_KEYS, Emulators, emulator_transport
from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import sniff
from tests.provider_api.harness import CALLBACK_URL, HIAPI_SIGNING_KEY, body_for

AUTH = {
    "piapi": {"X-API-Key": DEFAULT_KEYS["piapi"]},
    "goapi": {"X-API-Key": DEFAULT_KEYS["goapi"]},
    "seedance2": {"Authorization": f"Bearer {DEFAULT_KEYS['seedance2']}"},
    "hiapi": {"Authorization": f"Bearer {DEFAULT_KEYS['hiapi']}"},
    "evolink": {"Authorization": f"Bearer {DEFAULT_KEYS['evolink']}"},
}
CREATE_URL = {
    "piapi": "https://api.piapi.ai/api/v1/task",
    "goapi": "https://api.goapi.ai/api/v1/task",
    "seedance2": "https://seedance2-ai.ai/api/v1/jobs/createTask",
    "hiapi": "https://api.hiapi.ai/v1/tasks",
    "evolink": "https://api.evolink.ai/v1/videos/generations",
}
STATUS_URL = {
    "piapi": "https://api.piapi.ai/api/v1/task/{}",
    "goapi": "https://api.goapi.ai/api/v1/task/{}",
    "seedance2": "https://seedance2-ai.ai/api/v1/jobs/queryTask?taskId={}",
    "hiapi": "https://api.hiapi.ai/v1/tasks/{}",
    "evolink": "https://api.evolink.ai/v1/tasks/{}",
}
UNAUTHORIZED = {
    "piapi": {"code": 401, "data": None, "message": "Invalid or missing API key"},
    "goapi": {"code": 401, "data": None, "message": "Invalid or missing API key"},
    "seedance2": {"message": "Invalid or missing API key"},
    "hiapi": {"code": 401, "message": "Invalid or missing API key", "data": None, "error_code": "UNAUTHORIZED"},
    "evolink": {
        "error": {"code": "invalid_api_key", "message": "Invalid or missing API key", "type": "authentication_error"}
    },
}


def _reference_without_resolution(inputs: dict) -> None:
    inputs.update(videoInputMode="reference", videoUrls=["https://x.test/a.mp4"])
    del inputs["resolution"]


@pytest.fixture
def web(transport):
    with httpx.Client(transport=transport) as client:
        yield client


def create(web, provider, body=None, **body_options):
    answer = web.post(CREATE_URL[provider], json=body or body_for(provider, **body_options), headers=AUTH[provider])
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return {
        "piapi": lambda: data["data"]["task_id"],
        "goapi": lambda: data["data"]["task_id"],
        "seedance2": lambda: data["taskId"],
        "hiapi": lambda: data["data"]["taskId"],
        "evolink": lambda: data["id"],
    }[provider]()


def read(web, provider, task_id):
    answer = web.get(STATUS_URL[provider].format(task_id), headers=AUTH[provider])
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("provider", list(CREATE_URL))
def test_it_answers_401_in_the_providers_shape_to_a_wrong_key(provider, web):
    wrong = {name: value[:-3] + "bad" for name, value in AUTH[provider].items()}

    answer = web.post(CREATE_URL[provider], json=body_for(provider), headers=wrong)

    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED[provider]


def test_piapi_answers_create_like_its_document(web, emulators):
    answer = web.post(CREATE_URL["piapi"], json=body_for("piapi"), headers=AUTH["piapi"]).json()

    assert answer["code"] == 200 and answer["message"] == "success"
    assert answer["data"]["status"] == "pending"
    assert answer["data"]["output"] is None
    assert answer["data"]["error"] == {"code": 0, "raw_message": "", "message": "", "detail": None}
    assert answer["data"]["meta"]["started_at"] == "0001-01-01T00:00:00Z"


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_unified_tasks_go_pending_processing_completed_with_output_video(provider, web, emulators):
    task_id = create(web, provider)
    seen = [read(web, provider, task_id)["data"]["status"]]
    for step in (3, 30):
        emulators.clock.advance(step)
        seen.append(read(web, provider, task_id)["data"]["status"])

    assert seen == ["pending", "processing", "completed"]
    assert read(web, provider, task_id)["data"]["output"]["video"].startswith("https://img.theapi.app/ephemeral/")


def test_seedance2_tasks_go_pending_processing_completed_with_output_list(web, emulators):
    task_id = create(web, "seedance2")
    first = read(web, "seedance2", task_id)
    emulators.clock.advance(3)
    second = read(web, "seedance2", task_id)
    emulators.clock.advance(30)
    done = read(web, "seedance2", task_id)

    assert (first["status"], first["output"], first["completeTime"]) == ("PENDING", None, None)
    assert second["status"] == "PROCESSING"
    assert done["status"] == "COMPLETED"
    assert done["creditsUsed"] == 200  # 5 s x 40 (002:156)
    (output,) = done["output"]
    assert set(output) == {"url", "width", "height"}
    assert output["url"].startswith("https://static.seedance2-pro.com/videos/")


def test_hiapi_tasks_go_queued_handling_archiving_success_with_typed_outputs(web, emulators):
    body = body_for("hiapi", extras={"return_last_frame": True})
    task_id = create(web, "hiapi", body)
    statuses = []
    for step in (0, 3, 6.5, 30):
        emulators.clock.advance(step)
        statuses.append(read(web, "hiapi", task_id)["data"]["status"])
    done = read(web, "hiapi", task_id)["data"]

    assert statuses == ["queued", "handling", "archiving", "success"]
    assert [o["type"] for o in done["output"]] == ["video", "first_frame", "last_frame"]
    assert all(o["expireAt"] == done["completed"] + 3600 for o in done["output"])
    frame = web.get(done["output"][2]["url"])
    assert frame.headers["content-type"] == "image/jpeg"
    assert frame.content[:3] == b"\xff\xd8\xff"


def test_evolink_tasks_report_progress_then_results(web, emulators):
    task_id = create(web, "evolink")
    pending = read(web, "evolink", task_id)
    emulators.clock.advance(4)
    running = read(web, "evolink", task_id)
    emulators.clock.advance(30)
    done = read(web, "evolink", task_id)

    assert pending["status"] == "pending" and pending["object"] == "video.generation.task"
    assert pending["task_info"] == {"can_cancel": True, "video_duration": 5, "estimated_time": 10}
    assert running["status"] == "processing" and running["progress"] == 25
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["results"][0].startswith("https://files.evolink.ai/videos/")
    assert done["id"].startswith("task-unified-")


@pytest.mark.parametrize(
    "provider, body_change, message",
    [
        ("piapi", lambda b: b["input"].pop("prompt"), "failed to validate input: prompt is required"),
        (
            "piapi",
            lambda b: b["input"].update(duration=3),
            "failed to validate input: duration must be an integer from 4 to 15, got 3",
        ),
        (
            "goapi",
            lambda b: b["input"].pop("mode"),
            "failed to validate input: mode is required: one of text_to_video, first_last_frames, omni_reference",
        ),
        ("seedance2", lambda b: b["inputs"].update(duration="16s"), 'duration must be "4s" to "15s", got \'16s\''),
        (
            "seedance2",
            lambda b: _reference_without_resolution(b["inputs"]),
            "resolution is required for reference mode",
        ),
        ("hiapi", lambda b: b["input"].update(prompt="hi"), "input.prompt is required and must be 3-20000 characters"),
        (
            "hiapi",
            lambda b: b["input"].pop("aspect_ratio"),
            "input.aspect_ratio is required: one of 1:1, 4:3, 3:4, 16:9, 9:16, 21:9, adaptive",
        ),
        ("evolink", lambda b: b.update(quality="1080p"), "quality must be one of 480p, 720p"),
        (
            "evolink",
            lambda b: b.update(model="seedance-2.0-reference-to-video", audio_urls=["https://x.test/a.mp3"]),
            "audio cannot be provided alone: include at least 1 image or 1 video",
        ),
    ],
)
def test_it_refuses_an_invalid_body_with_a_documented_rule(provider, body_change, message, web, emulators):
    body = body_for(provider)
    body_change(body)

    answer = web.post(CREATE_URL[provider], json=body, headers=AUTH[provider])

    assert answer.status_code == 400
    data = answer.json()
    said = data["error"]["message"] if provider == "evolink" else data["message"]
    assert said == message
    assert not emulators[provider].tasks


def test_hiapi_errors_carry_code_data_and_error_code(web):
    answer = web.post(CREATE_URL["hiapi"], json={"model": "seedance-2-0"}, headers=AUTH["hiapi"])

    assert answer.json() == {"code": 400, "message": "input is required", "data": None, "error_code": "INVALID_REQUEST"}


def test_piapi_refuses_asset_references_on_a_strict_tier_with_422(web):
    body = body_for("piapi")
    body["input"].update(mode="first_last_frames", image_urls=["asset://asset-1"])
    del body["input"]["resolution"]

    assert web.post(CREATE_URL["piapi"], json=body, headers=AUTH["piapi"]).status_code == 422


@pytest.mark.parametrize("provider", list(CREATE_URL))
def test_the_result_is_a_real_mp4_of_the_requested_length(provider, web, emulators, tmp_path):
    task_id = create(web, provider, body_for(provider, duration=4, aspect_ratio="9:16"))
    emulators.clock.advance(30)
    data = read(web, provider, task_id)
    url = {
        "piapi": lambda: data["data"]["output"]["video"],
        "goapi": lambda: data["data"]["output"]["video"],
        "seedance2": lambda: data["output"][0]["url"],
        "hiapi": lambda: data["data"]["output"][0]["url"],
        "evolink": lambda: data["results"][0],
    }[provider]()
    path = tmp_path / "result.mp4"
    path.write_bytes(web.get(url).content)

    facts = probe_media(path, sniff(path), timeout=30, max_seconds=60)

    assert facts.container == "mp4"
    assert round(facts.duration) == 4
    assert (facts.video.width, facts.video.height) == (180, 320)


@pytest.mark.parametrize("provider, status", [("piapi", 404), ("seedance2", 403), ("hiapi", 403), ("evolink", 410)])
def test_result_links_expire(provider, status, web, emulators):
    task_id = create(web, provider)
    emulators.clock.advance(30)
    data = json.dumps(read(web, provider, task_id))
    url = next(part for part in data.split('"') if part.startswith("https://") and part.endswith(".mp4"))
    assert web.get(url).status_code == 200

    emulators.clock.advance(emulators[provider].scenario.link_ttl)

    assert web.get(url).status_code == status


def test_evolink_links_last_24_hours(web, emulators):
    task_id = create(web, "evolink")
    emulators.clock.advance(30)
    url = read(web, "evolink", task_id)["results"][0]

    emulators.clock.advance(23 * 3600)
    assert web.get(url).status_code == 200
    emulators.clock.advance(3600)
    assert web.get(url).status_code == 410


def test_unified_callbacks_carry_the_secret_and_the_task_as_get_shows_it(web, emulators):
    body = body_for("piapi")
    body["config"] = {"webhook_config": {"endpoint": CALLBACK_URL, "secret": "s3cret"}}
    task_id = create(web, "piapi", body)
    emulators.clock.advance(30)

    (callback,) = emulators.outbox
    payload = callback.json()
    assert callback.headers["x-webhook-secret"] == "s3cret"
    assert payload["timestamp"] == int(emulators.clock.now())
    assert payload["data"] == read(web, "piapi", task_id)["data"]


def test_hiapi_callbacks_are_signed_over_timestamp_dot_raw_body(web, emulators):
    body = body_for("hiapi")
    body["callback"] = {"url": CALLBACK_URL, "when": "final"}
    create(web, "hiapi", body)
    emulators.clock.advance(30)

    (callback,) = emulators.outbox
    stamp = callback.headers["X-HiAPI-Timestamp"]
    expected = hmac.new(HIAPI_SIGNING_KEY.encode(), f"{stamp}.".encode() + callback.body, hashlib.sha256).hexdigest()
    assert callback.headers["X-HiAPI-Signature"] == expected
    assert callback.json()["status"] == "success"


@pytest.mark.parametrize("provider, field", [("seedance2", "callBackUrl"), ("evolink", "callback_url")])
def test_unsigned_providers_post_the_status_shape_without_signature(provider, field, web, emulators):
    body = body_for(provider)
    body[field] = CALLBACK_URL
    task_id = create(web, provider, body)
    emulators.clock.advance(30)

    (callback,) = emulators.outbox
    assert callback.headers == {"Content-Type": "application/json"}
    assert callback.json() == read(web, provider, task_id)


@pytest.mark.parametrize("provider, field", [("hiapi", "callback"), ("evolink", "callback_url")])
def test_it_refuses_a_plain_http_callback_where_the_document_wants_https(provider, field, web):
    body = body_for(provider)
    body[field] = {"url": "http://studio.test/hook"} if provider == "hiapi" else "http://studio.test/hook"

    answer = web.post(CREATE_URL[provider], json=body, headers=AUTH[provider])

    assert answer.status_code == 400
    assert "HTTPS" in answer.text


def test_a_sender_can_be_injected():
    sent = []
    emulators = Emulators(sender=lambda url, headers, body: sent.append(url))
    with httpx.Client(transport=emulator_transport(emulators)) as web:
        body = body_for("evolink")
        body["callback_url"] = CALLBACK_URL
        create(web, "evolink", body)
    emulators.clock.advance(30)

    assert sent == [CALLBACK_URL]
    assert emulators.outbox == []


def test_prompt_markers_set_the_tasks_timing(web, emulators):
    task_id = create(web, "evolink", prompt="A lighthouse at dawn [[queue=60]] [[run=120]]")

    emulators.clock.advance(59)
    assert read(web, "evolink", task_id)["status"] == "pending"
    emulators.clock.advance(61)
    assert read(web, "evolink", task_id)["progress"] == 50


def test_the_scenario_answers_the_next_status_reads_with_failures(web, emulators):
    task_id = create(web, "hiapi")
    emulators.hiapi.scenario.status_failures = [503, 429]

    first = web.get(STATUS_URL["hiapi"].format(task_id), headers=AUTH["hiapi"])
    second = web.get(STATUS_URL["hiapi"].format(task_id), headers=AUTH["hiapi"])
    third = web.get(STATUS_URL["hiapi"].format(task_id), headers=AUTH["hiapi"])

    assert (first.status_code, first.json()["error_code"], first.headers["retry-after"]) == (
        503,
        "SERVICE_UNAVAILABLE",
        "1",
    )
    assert second.status_code == 429
    assert third.status_code == 200


def test_an_unknown_task_is_404_in_the_providers_shape(web):
    answer = web.get(STATUS_URL["evolink"].format("task-unified-0-nope"), headers=AUTH["evolink"])

    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "not_found_error"


def credits(web) -> dict:
    answer = web.get("https://seedance2-ai.ai/api/v1/account/credits", headers=AUTH["seedance2"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_seedance2_reports_the_documents_starting_credits(web):
    assert credits(web) == {"credits": 5000, "availableCredits": 5000}  # 002:214


def test_seedance2_holds_a_tasks_credits_then_charges_them_when_it_completes(web, emulators):
    task_id = create(web, "seedance2")  # 5 s of seedance2: 200 credits (002:156)

    running = credits(web)
    emulators.clock.advance(30)
    done = read(web, "seedance2", task_id)

    assert running == {"credits": 5000, "availableCredits": 4800}  # the document's own pair (002:214-215)
    assert done["creditsUsed"] == 200
    assert credits(web) == {"credits": 4800, "availableCredits": 4800}


def test_seedance2_refunds_a_failed_task(web, emulators):
    task_id = create(web, "seedance2", prompt="A lighthouse at dawn [[fail]]")
    emulators.clock.advance(30)

    assert read(web, "seedance2", task_id)["creditsUsed"] == 0
    assert credits(web) == {"credits": 5000, "availableCredits": 5000}


def test_seedance2_credits_need_the_api_key(web):
    answer = web.get("https://seedance2-ai.ai/api/v1/account/credits")

    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED["seedance2"]


# 002:154-159, every cell, for 5 s: seedance2 | seedance2-fast.
@pytest.mark.parametrize(
    ("inputs", "seedance2", "fast"),
    [
        pytest.param({}, 200, 160, id="base"),
        pytest.param({"upscaleResolution": "2k"}, 300, 260, id="2k-upscale"),
        pytest.param({"upscaleResolution": "4k"}, 400, 360, id="4k-upscale"),
        pytest.param(
            {"videoInputMode": "reference", "videoUrls": ["https://x.test/motion.mp4"]},
            400,
            320,
            id="reference-with-video",
        ),
    ],
)
def test_seedance2_credits_used_follow_the_credit_table(inputs, seedance2, fast, web, emulators):
    used = {}
    for model in ("seedance2", "seedance2-fast"):
        body = {
            "model": model,
            "inputs": {"prompt": "A cat playing piano", "duration": "5s", "resolution": "1280x720", **inputs},
        }
        task_id = create(web, "seedance2", body)
        emulators.clock.advance(30)
        used[model] = read(web, "seedance2", task_id)["creditsUsed"]

    assert used == {"seedance2": seedance2, "seedance2-fast": fast}


def test_seedance2_reference_mode_without_a_video_is_not_doubled(web, emulators):
    body = {
        "model": "seedance2",
        "inputs": {
            "urls": ["https://x.test/a.jpg"],
            "prompt": "A walk",
            "duration": "10s",
            "videoInputMode": "reference",
            "resolution": "1280x720",
        },
    }
    task_id = create(web, "seedance2", body)
    emulators.clock.advance(30)

    assert read(web, "seedance2", task_id)["creditsUsed"] == 400  # 10 s x 40


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_unified_usage_of_the_documents_example_request_matches_its_example_answer(provider, web, emulators):
    # The request of 000:485-500 / 001:395-410; its answer freezes 4000000 points (000:577-581, 001:487-491).
    body = {
        "model": "seedance",
        "task_type": "seedance-2-fast",
        "input": {
            "prompt": "A woman sings and strums her guitar",
            "mode": "text_to_video",
            "duration": 5,
            "aspect_ratio": "16:9",
        },
    }
    task_id = create(web, provider, body)

    pending = read(web, provider, task_id)["data"]["meta"]["usage"]
    emulators.clock.advance(30)
    done = read(web, provider, task_id)["data"]["meta"]["usage"]

    assert pending == {"type": "point", "frozen": 4000000, "consume": 0}
    assert done == {"type": "point", "frozen": 0, "consume": 4000000}


@pytest.mark.parametrize(
    ("task_type", "resolution", "seconds", "points"),
    [
        ("seedance-2", "1080p", 4, 20_000_000),  # 4 s x $0.50 (000:285)
        ("seedance-2-fast-less-restriction", "720p", 10, 17_600_000),  # 10 s x $0.176 (000:293)
        ("seedance-2-mini", None, 6, 9_000_000),  # 720p by default, 6 s x $0.15 (000:288, 000:367)
        ("seedance-2-less-restriction", None, 5, 5_500_000),  # 480p by default, 5 s x $0.11 (000:289, 000:365)
    ],
)
def test_piapi_usage_follows_its_price_table(task_type, resolution, seconds, points, web, emulators):
    data = {"prompt": "A lighthouse", "mode": "text_to_video", "duration": seconds}
    if resolution:
        data["resolution"] = resolution
    task_id = create(web, "piapi", {"model": "seedance", "task_type": task_type, "input": data})
    emulators.clock.advance(30)

    assert read(web, "piapi", task_id)["data"]["meta"]["usage"]["consume"] == points


def test_a_moderated_unified_task_consumes_nothing(web, emulators):
    task_id = create(web, "piapi", prompt="A red carpet walk [[moderation]]")
    emulators.clock.advance(30)

    assert read(web, "piapi", task_id)["data"]["meta"]["usage"] == {"type": "point", "frozen": 0, "consume": 0}


@pytest.mark.parametrize(
    ("model", "quality", "reserved"),
    [("seedance-2.0-text-to-video", "720p", 100), ("seedance-2.0-fast-text-to-video", "480p", 40)],
)
def test_evolink_usage_carries_the_documented_fields_on_every_answer(model, quality, reserved, web, emulators):
    body = {"model": model, "prompt": "A lighthouse at dawn", "duration": 5, "quality": quality}
    created = web.post(CREATE_URL["evolink"], json=body, headers=AUTH["evolink"]).json()
    emulators.clock.advance(30)
    done = read(web, "evolink", created["id"])

    assert (
        created["usage"]
        == done["usage"]
        == {"billing_rule": "per_second", "credits_reserved": reserved, "user_group": "default"}
    )


def test_a_host_no_emulator_plays_cannot_be_reached(web):
    with pytest.raises(httpx.ConnectError):
        web.get("https://example.org/")


def test_the_scenario_fails_or_stalls_the_next_creates(web, emulators, transport):
    emulators.piapi.scenario.create_failures = [503]
    emulators.piapi.scenario.create_timeouts = 1

    refused = web.post(CREATE_URL["piapi"], json=body_for("piapi"), headers=AUTH["piapi"])
    with pytest.raises(httpx.ReadTimeout):
        web.post(CREATE_URL["piapi"], json=body_for("piapi"), headers=AUTH["piapi"])
    create(web, "piapi")

    assert refused.status_code == 503
    assert emulators.piapi.create_calls == 3
    assert len(emulators.piapi.tasks) == 2  # the stalled create did make its task


def test_the_expire_marker_shortens_the_link_life(web, emulators):
    task_id = create(web, "seedance2", prompt="A lighthouse at dawn [[expire=60]]")
    emulators.clock.advance(30)
    url = read(web, "seedance2", task_id)["output"][0]["url"]

    assert web.get(url).status_code == 200
    emulators.clock.advance(60)
    assert web.get(url).status_code == 403
