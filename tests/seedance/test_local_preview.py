"""The local preview: the union of what the providers accept, free, with a plain render description."""

from __future__ import annotations

import pytest

from seedance_studio.seedance import Reference

from .builders import audios, errors, image, images, run, video, videos, warnings


@pytest.mark.parametrize(
    ("references", "mode"),
    [
        ((), "text_to_video"),
        ((image(),), "first_last_frames"),
        ((image(), video()), "omni_reference"),
    ],
)
def test_it_is_free_in_every_mode(references, mode):
    evaluation = run("local_preview", *references)
    assert evaluation.mode == mode and evaluation.quote.studio_credits == 0
    assert evaluation.quote.summary == "Local preview: free -> 0 credits"


@pytest.mark.parametrize(
    ("references", "ok"),
    [
        pytest.param(
            images(4) + videos(4, seconds=3) + [image("x")] + audios(3, seconds=2),
            True,
            id="001:310-twelve-of-any-kind",
        ),
        pytest.param(images(13), False, id="001:310-thirteen"),
    ],
)
def test_it_takes_up_to_12_references(references, ok):
    assert run("local_preview", *references).is_valid is ok


@pytest.mark.parametrize(
    ("kwargs", "ok"),
    [
        pytest.param({"resolution": "1080p"}, True, id="000:365-1080p"),
        pytest.param({"aspect_ratio": "auto"}, True, id="003:72-auto-in-text"),
        pytest.param({"seed": 2147483647}, True, id="003:124-seed"),
        pytest.param({"generate_audio": False}, True, id="003:108-silent"),
        pytest.param({"duration": 16}, False, id="everyone-4-15"),
    ],
)
def test_it_accepts_the_union(kwargs, ok):
    evaluation = run("local_preview", **kwargs)
    assert evaluation.is_valid is ok and not warnings(evaluation)


def test_it_refuses_what_nobody_takes():
    assert "references.audio_only" in errors(run("local_preview", *audios(1)))
    assert errors(run("local_preview", image(url="asset://asset-1"))) == {"reference.asset_not_allowed"}


def test_it_reads_local_urls():
    assert run("local_preview", image(url="/media/references/a.png")).is_valid


def test_prompt_is_optional():
    assert run("local_preview", image(), prompt="").is_valid


def test_the_body_describes_the_render():
    evaluation = run(
        "local_preview",
        image("a", url="/m/a.png"),
        video("b", url="/m/b.mp4"),
        prompt="@image1 and @video1",
        resolution="480p",
        aspect_ratio="9:16",
        seed=4,
    )
    assert evaluation.request_body == {
        "renderer": "local_preview",
        "mode": "omni_reference",
        "prompt": "@image1 and @video1",
        "duration": 5,
        "aspect_ratio": "9:16",
        "resolution": "480p",
        "width": 496,
        "height": 864,
        "generate_audio": True,
        "seed": 4,
        "references": [
            {"id": "a", "kind": "image", "mention": "@image1", "url": "/m/a.png"},
            {"id": "b", "kind": "video", "mention": "@video1", "url": "/m/b.mp4"},
        ],
    }


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        pytest.param((image(width=720, height=1280),), ("9:16", 720, 1280), id="portrait-image"),
        pytest.param((image(width=1000, height=1000),), ("1:1", 960, 960), id="square-image"),
        pytest.param((image(width=2100, height=900), video()), ("21:9", 1470, 630), id="ultrawide-image-first"),
        pytest.param((), ("16:9", 1280, 720), id="000:356-auto-without-image-is-16:9"),
    ],
)
def test_auto_takes_the_shape_of_the_first_picture(references, expected):
    body = run("local_preview", *references, aspect_ratio="auto").request_body
    assert (body["aspect_ratio"], body["width"], body["height"]) == expected


def test_golden_text_to_video_body():
    assert run("local_preview", prompt="A calm sea", duration=4, resolution="1080p").request_body == {
        "renderer": "local_preview",
        "mode": "text_to_video",
        "prompt": "A calm sea",
        "duration": 4,
        "aspect_ratio": "16:9",
        "resolution": "1080p",
        "width": 1920,
        "height": 1080,
        "generate_audio": True,
        "seed": None,
        "references": [],
    }


def test_golden_first_last_frames_body():
    body = run(
        "local_preview",
        image("a", url="/m/a.png"),
        image("b", url="/m/b.png"),
        prompt="@图片1 变成 @图片2",
        aspect_ratio="1:1",
        generate_audio=False,
    ).request_body
    assert body == {
        "renderer": "local_preview",
        "mode": "first_last_frames",
        "prompt": "@图片1 变成 @图片2",
        "duration": 5,
        "aspect_ratio": "1:1",
        "resolution": "720p",
        "width": 960,
        "height": 960,
        "generate_audio": False,
        "seed": None,
        "references": [
            {"id": "a", "kind": "image", "mention": "@image1", "url": "/m/a.png"},
            {"id": "b", "kind": "image", "mention": "@image2", "url": "/m/b.png"},
        ],
    }


def test_unusual_formats_are_only_warned():
    evaluation = run("local_preview", image(fmt="gif"))
    assert evaluation.is_valid and warnings(evaluation) == {"reference.format_undocumented"}


def test_the_body_lists_the_references_in_the_prompts_shot_order_with_pins_first_and_last():
    first, second, third, last = (image(f"img-{n}") for n in range(1, 5))
    pinned_last = Reference(last.id, "image", format="png", width=1280, height=720, frame="last")
    evaluation = run(
        "local_preview",
        first,
        second,
        third,
        pinned_last,
        prompt="@image3 opens, then @image1",
        mode="omni_reference",
    )
    assert [ref["mention"] for ref in evaluation.request_body["references"]] == [
        "@image3",  # first mentioned
        "@image1",
        "@image2",  # never mentioned: after the mentioned ones
        "@image4",  # pinned to the last frame: last whatever the prompt says
    ]
