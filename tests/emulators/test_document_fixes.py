"""Requests the core now builds after fixes against the documents, sent through each provider's wire module to
its emulator: what goes on the wire, and that the emulator (faithful to the same document) takes or refuses it.
"""

from __future__ import annotations

import httpx
import pytest

from tests.provider_api.harness import body_for
from tests.seedance.builders import audio, audios, framed, image, images, run, video


@pytest.fixture
def web(transport):
    with httpx.Client(transport=transport) as client:
        yield client


def _sent(emulator) -> dict:
    (request,) = [r for r in emulator.requests if r.method == "POST"]
    return request.json()


@pytest.mark.parametrize(
    ("references", "video_input_mode"),
    [
        pytest.param((image(),), None, id="002:61-79-image-to-video"),
        pytest.param(tuple(images(2)), "keyframe", id="002:80-103-keyframe"),
    ],
)
def test_seedance2_frames_requests_carry_the_pixel_size(references, video_input_mode, connect, emulators):
    """002 line 148: `resolution` (the pixel sizes of line 59) is optional in every mode, so the creative's 9:16
    goes out as 720x1280 in image-to-video and keyframe requests too; the emulator renders that shape."""
    evaluation = run("seedance2", *references, aspect_ratio="9:16")

    task_id = connect("seedance2").create(evaluation.request_body)

    inputs = _sent(emulators.seedance2)["inputs"]
    assert (inputs["resolution"], inputs.get("videoInputMode")) == ("720x1280", video_input_mode)
    width, height = emulators.seedance2.tasks[task_id].size
    assert width < height


@pytest.mark.parametrize("provider", ["seedance2", "hiapi"])
def test_audio_alone_goes_out_where_the_document_does_not_refuse_it(provider, connect, emulators):
    """002 lines 104-138 and 003 lines 91-101 say nothing against audio alone: the core only warns, and the
    emulators, faithful to those documents, take the request."""
    evaluation = run(provider, *audios(1))
    assert evaluation.is_valid and evaluation.warnings[0].code == "references.audio_only"

    task_id = connect(provider).create(evaluation.request_body)

    assert task_id in emulators[provider].tasks


@pytest.mark.parametrize(
    ("provider", "url", "change", "message"),
    [
        pytest.param(
            "piapi",
            "https://api.piapi.ai/api/v1/task",
            lambda b: b["input"].update(mode="omni_reference", audio_urls=["https://x.test/a.mp3"]),
            "failed to validate input: audio-only is not allowed: add at least one image or video reference",
            id="000:337",
        ),
        pytest.param(
            "goapi",
            "https://api.goapi.ai/api/v1/task",
            lambda b: b["input"].update(mode="omni_reference", audio_urls=["https://x.test/a.mp3"]),
            "failed to validate input: audio-only is not allowed: add at least one image or video reference",
            id="001:309",
        ),
    ],
)
def test_unified_emulators_still_refuse_audio_alone(provider, url, change, message, web, emulators):
    # 000 line 337 and 001 line 309: "Audio-only is not allowed" (EvoLink's 004:37 is in test_emulators.py).
    body = body_for(provider)
    change(body)

    answer = web.post(url, json=body, headers={"X-API-Key": emulators.keys[provider]})

    assert (answer.status_code, answer.json()["message"]) == (400, message)


def test_hiapi_sends_frames_beside_reference_images(connect, emulators):
    """003 lines 83-93: first_frame_url, last_frame_url and reference_image_urls in one request, 9 images in
    all; the wire module sends them in `input` as the document names them, and the emulator takes them."""
    first = framed(image("f", url="https://example.com/first.jpg"), "first")
    last = framed(image("l", url="https://example.com/last.jpg"), "last")
    evaluation = run("hiapi", first, *images(7, url="https://example.com/ref.png"), last, video(), audio())

    task_id = connect("hiapi").create(evaluation.request_body)

    sent = _sent(emulators.hiapi)["input"]
    assert (sent["first_frame_url"], sent["last_frame_url"]) == (
        "https://example.com/first.jpg",
        "https://example.com/last.jpg",
    )
    assert sent["reference_image_urls"] == ["https://example.com/ref.png"] * 7
    assert len(sent["reference_video_urls"]) == len(sent["reference_audio_urls"]) == 1
    assert task_id in emulators.hiapi.tasks


def test_hiapi_sends_a_last_frame_alone(connect, emulators):
    # 003 lines 87-89: last_frame_url is optional on its own, like first_frame_url (lines 83-85).
    evaluation = run("hiapi", framed(image("l", url="https://example.com/last.jpg"), "last"))

    task_id = connect("hiapi").create(evaluation.request_body)

    sent = _sent(emulators.hiapi)["input"]
    assert sent["last_frame_url"] == "https://example.com/last.jpg" and "first_frame_url" not in sent
    assert task_id in emulators.hiapi.tasks


def test_hiapi_emulator_counts_frames_and_reference_images_together(web, emulators):
    # 003 line 93: "Combined count with first/last frames should not exceed 9".
    body = body_for("hiapi")
    body["input"].update(
        first_frame_url="https://x.test/f.png",
        last_frame_url="https://x.test/l.png",
        reference_image_urls=[f"https://x.test/{i}.png" for i in range(8)],
    )

    answer = web.post(
        "https://api.hiapi.ai/v1/tasks", json=body, headers={"Authorization": f"Bearer {emulators.keys['hiapi']}"}
    )

    assert (answer.status_code, answer.json()["message"]) == (
        400,
        "reference images and first/last frames together must not exceed 9",
    )
