"""The library in Chromium: a file uploaded for one composition is added to a new one from the compose page's
"Add from library" picker, found by searching, without uploading it again; and the chain page plays a chain's
shots one after another in one player."""

import pytest

from seedance_studio.references.ingest import ingest_file
from seedance_studio.references.models import Reference
from seedance_studio.studio.models import Composition
from tests.jobs import succeeded
from tests.media_factory import make_image

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_library_file_is_added_to_a_new_composition_without_an_upload(signed_in_page, live_server, owner, media_dir):
    page = signed_in_page
    for name in ("harbour.jpg", "lantern.png"):
        ingest_file(owner, make_image(media_dir / name, 480, 270), name)  # uploaded for an earlier composition
    stored = Reference.objects.count()
    page.goto(f"{live_server.url}/")
    assert page.locator(".chip").count() == 0

    uploads = []
    page.on("request", lambda request: uploads.append(request.url) if request.method == "POST" else None)
    page.click("text=Add from library")
    page.wait_for_selector("#library-picker .picker-file")
    assert page.locator("#library-picker .picker-file").count() == 2
    page.fill("#library-picker input[name=q]", "lant")
    page.wait_for_function("() => document.querySelectorAll('#library-picker .picker-file').length === 1")
    page.click("#library-picker button[aria-label='Add lantern.png']")
    page.wait_for_selector(".chip[data-name='lantern.png'][data-mention='@image1']")

    assert Reference.objects.count() == stored  # nothing was uploaded or stored again
    assert not any(url.endswith("/compose/references/") for url in uploads)
    [added] = Composition.objects.draft_for(owner).ordered_references()
    assert added.original_name == "lantern.png"
    # The live panel re-checked the composition with its new reference (an unmentioned image is a warning).
    page.wait_for_selector("#live-panel :text('@image1')")


def test_the_chain_player_plays_the_shots_in_order(signed_in_page, live_server, owner, owner_client, media_dir):
    page = signed_in_page
    first = succeeded(owner, media_dir, prompt="A paper boat sets off", seconds=1.0)
    owner_client.post(f"/jobs/{first.public_id}/continue/")
    second = succeeded(owner, media_dir, prompt="@image1 it reaches the drain", seconds=1.0, size=(320, 240))
    page.goto(f"{live_server.url}/chains/{second.public_id}/")
    player = page.wait_for_selector("video[data-chain-player]")
    assert player.get_attribute("src") == f"/jobs/{first.public_id}/video.mp4"
    page.evaluate("v => { v.muted = true; return v.play(); }", player)
    page.wait_for_function("v => v.dataset.shot === '2' && v.currentTime > 0.1", arg=player, timeout=20_000)
    assert player.get_attribute("src") == f"/jobs/{second.public_id}/video.mp4"
    assert page.inner_text("[data-chain-now]") == "Shot 2 of 2"
    page.wait_for_function("v => v.dataset.finished === 'true'", arg=player, timeout=20_000)
