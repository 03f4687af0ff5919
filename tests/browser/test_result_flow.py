"""The result page in Chromium: the video plays, remix brings the same recipe back, and continuing from the
last frame starts the composer on an image whose pixels are the clip's last decoded frame."""

import re

import pytest
from PIL import Image, ImageChops

from seedance_studio.mediatools.frames import extract_last_frame
from seedance_studio.studio.models import Composition
from tests.jobs import succeeded
from tests.media_factory import make_image

pytestmark = pytest.mark.django_db(transaction=True)


def test_remix_and_continue_from_the_result_page(signed_in_page, live_server, owner, media_dir, settings):
    page = signed_in_page
    for name in ("harbour.jpg", "lantern.png"):
        page.set_input_files("#upload-input", str(make_image(media_dir / name, 480, 270)))
        page.wait_for_selector(f".chip[data-name='{name}']")
    job = succeeded(owner, media_dir, prompt="@image2 glows, then @image1 at dusk", duration=6, aspect_ratio="9:16")

    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    video = page.wait_for_selector("video.result-player")
    page.evaluate("v => { v.muted = true; return v.play(); }", video)
    page.wait_for_function("v => v.currentTime > 0.3", arg=video, timeout=20_000)

    Composition.objects.draft_for(owner).load_recipe(
        {**Composition.objects.draft_for(owner).recipe(), "prompt": "changed since", "duration": 4}, []
    )
    page.click("button:has-text('Remix')")
    page.wait_for_url(f"{live_server.url}/")
    names = page.eval_on_selector_all(".chip", "chips => chips.map(c => c.dataset.name)")
    assert names == ["harbour.jpg", "lantern.png"]
    assert page.input_value("#id_prompt") == "@image2 glows, then @image1 at dusk"
    assert page.input_value("#id_duration") == "6" and page.input_value("#id_aspect_ratio") == "9:16"

    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.click("button:has-text('Continue from the last frame')")
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_selector(".chip[data-mention='@image1']")
    assert page.locator(".chip").count() == 1
    assert re.match(r"@image1\s*$", page.input_value("#id_prompt"))
    [frame] = Composition.objects.draft_for(owner).ordered_references()
    decoded = extract_last_frame(settings.MEDIA_ROOT / job.video.name, media_dir / "decoded-last.png", timeout=20)
    with frame.file.open("rb") as kept:
        assert (
            ImageChops.difference(Image.open(kept).convert("RGB"), Image.open(decoded).convert("RGB")).getbbox() is None
        )
