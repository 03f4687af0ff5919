from __future__ import annotations

from pathlib import Path

import pytest

from seedance_studio.preview import PreviewReference, PreviewRequest
from seedance_studio.preview.plan import FIRST_LAST, PUSH_IN, SEQUENCE, TITLE, Segment, plan_preview, share_frames

IMAGE = PreviewReference("image", Path("a.png"))
VIDEO_1S = PreviewReference("video", Path("v.mp4"), duration=1.0)
AUDIO = PreviewReference("audio", Path("a.mp3"), duration=3.0)


def request(*references: PreviewReference, duration: int = 4) -> PreviewRequest:
    return PreviewRequest("prompt", duration, "16:9", "480p", False, references)


@pytest.mark.parametrize(
    "total, caps, shares",
    [
        (96, [None], [96]),
        (96, [None, None], [48, 48]),
        (97, [None, None, None], [33, 32, 32]),
        (96, [None, 24, None], [36, 24, 36]),  # a short video plays whole, the images share the rest
        (96, [None, 200], [48, 48]),  # a long video is cut to its share
        (96, [24], [96]),  # nothing else to fill the time: the video holds its last frame
        (96, [24, 12], [54, 42]),
        (360, [None, 72, 30, None], [129, 72, 30, 129]),
    ],
)
def test_it_shares_frames(total, caps, shares):
    assert share_frames(total, caps) == shares
    assert sum(shares) == total


@pytest.mark.parametrize(
    "references, layout",
    [
        ((), TITLE),
        ((AUDIO,), TITLE),
        ((IMAGE,), SEQUENCE),
        ((IMAGE, IMAGE), FIRST_LAST),
        ((IMAGE, IMAGE, AUDIO), SEQUENCE),  # first-and-last-frame takes no other reference
        ((IMAGE, VIDEO_1S), SEQUENCE),
    ],
)
def test_it_picks_the_layout(references, layout):
    assert plan_preview(request(*references)).layout == layout


def test_it_overlaps_first_and_last_frame_by_the_crossfade():
    plan = plan_preview(request(IMAGE, IMAGE, duration=6))
    first, last = plan.segments
    assert 0 < plan.crossfade_frames < min(first.frames, last.frames)
    assert first.frames + last.frames - plan.crossfade_frames == 6 * 24


def test_it_lands_on_the_last_frame_image_unmagnified():
    first, last = plan_preview(request(IMAGE, IMAGE)).segments
    assert first.zoom == (1.0, PUSH_IN) and last.zoom == (PUSH_IN, 1.0)


@pytest.mark.parametrize(
    "frame, zoom, canvas",
    [
        ((864, 496), (1.0, 1.10), (950, 546)),
        ((1920, 1080), (1.10, 1.0), (2112, 1188)),
        ((2206, 946), (1.0, 1.04), (2294, 984)),
        ((640, 640), (1.0, 1.0), (640, 640)),
    ],
)
def test_it_draws_stills_large_enough_for_their_closest_frame(frame, zoom, canvas):
    size = Segment(IMAGE, 96, zoom).canvas_size(frame)
    assert size == canvas
    assert all((side - original) % 2 == 0 for side, original in zip(size, frame, strict=True))  # centred crops


def test_it_keeps_images_and_videos_in_composition_order():
    plan = plan_preview(request(VIDEO_1S, AUDIO, IMAGE))
    assert [segment.reference for segment in plan.segments] == [VIDEO_1S, IMAGE]
    assert [segment.frames for segment in plan.segments] == [24, 72]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"duration": 3}, "from 4 to 15"),
        ({"duration": 16}, "from 4 to 15"),
        ({"duration": 5.5}, "whole number"),
        ({"aspect_ratio": "2:1"}, "no output size"),
        ({"resolution": "4k"}, "no output size"),
    ],
)
def test_it_refuses_what_seedance_cannot_make(fields, message):
    with pytest.raises(ValueError, match=message):
        PreviewRequest(
            **{
                "prompt": "p",
                "duration": 5,
                "aspect_ratio": "16:9",
                "resolution": "720p",
                "generate_audio": True,
                **fields,
            }
        )
