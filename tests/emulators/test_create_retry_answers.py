"""The emulators' "try again later" answers to a create, and the Unified API's generic failure message."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators.test_emulators import AUTH, CREATE_URL, STATUS_URL
from tests.provider_api.harness import body_for


@pytest.fixture
def web(transport):
    with httpx.Client(transport=transport) as client:
        yield client


def test_the_next_hiapi_create_answers_503_with_retry_after_and_makes_nothing(web, emulators):
    """HiAPI: "503 means retry later" (shared/seeds/README.md:22), in its error shape, with a Retry-After."""
    emulators.hiapi.scenario.create_failures = [503]

    refused = web.post(CREATE_URL["hiapi"], json=body_for("hiapi"), headers=AUTH["hiapi"])
    accepted = web.post(CREATE_URL["hiapi"], json=body_for("hiapi"), headers=AUTH["hiapi"])

    assert (refused.status_code, refused.json()["error_code"], refused.headers["retry-after"]) == (
        503,
        "SERVICE_UNAVAILABLE",
        "1",
    )
    assert refused.json()["data"] is None
    assert accepted.status_code == 200 and len(emulators.hiapi.tasks) == 1


@pytest.mark.parametrize("provider, status", [("hiapi", 503), ("seedance2", 500)])
def test_a_once_marker_refuses_the_first_create_of_a_prompt_then_accepts_it(provider, status, web, emulators):
    """The served emulator's way to play HiAPI's 503 (README.md:22) or the Seedance2 API's 500
    (002_f203a5308ec3fedc.txt:225) once: the same prompt sent again is accepted."""
    body = body_for(provider, prompt=f"A lighthouse at dawn [[fail-create-{status}-once]]")

    first = web.post(CREATE_URL[provider], json=body, headers=AUTH[provider])
    second = web.post(CREATE_URL[provider], json=body, headers=AUTH[provider])

    assert (first.status_code, second.status_code) == (status, 200)
    assert emulators[provider].create_calls == 2 and len(emulators[provider].tasks) == 1


@pytest.mark.parametrize("provider", ["piapi", "goapi"])
def test_the_unified_failure_message_can_be_the_generic_task_failed(provider, web, emulators):
    """000:586-591 / 001:496-501 name `message` and `raw_message`; with the scenario knob the reason is only in
    `raw_message`, as the studio must be ready for."""
    emulators[provider].scenario.generic_failure_message = True
    body = body_for(provider, prompt="A beach [[moderation=nudity detected]]")
    task_id = web.post(CREATE_URL[provider], json=body, headers=AUTH[provider]).json()["data"]["task_id"]
    emulators.clock.advance(30)

    error = web.get(STATUS_URL[provider].format(task_id), headers=AUTH[provider]).json()["data"]["error"]

    assert error["message"] == "task failed"
    assert error["raw_message"] == "content moderation: nudity detected"
