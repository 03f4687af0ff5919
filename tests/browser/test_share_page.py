import pytest
from playwright.sync_api import expect

from tests.sharing.videos import PROMPT, finished_job, make_share_media

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shares_from_the_result_page_and_a_phone_plays_it_until_stopped(
    signed_in_page, browser, live_server, owner, media_dir, settings
):
    settings.PUBLIC_BASE_URL = live_server.url  # the link the owner copies must open in this test's browser
    job = finished_job(owner, make_share_media(media_dir))
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.check("#share-panel input[name=show_prompt]")
    page.select_option("#share-expires", "7")
    page.click("#share-panel button[type=submit]")
    link = page.wait_for_selector("#share-url").input_value()
    assert link.startswith(f"{live_server.url}/s/")
    expect(page.locator("#share-panel .share-facts")).to_contain_text("0 views")
    page.click("#share-panel [data-copy]")
    expect(page.locator("#share-panel [data-copy]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link

    # Someone in a chat opens it on a phone: no account, no cookies.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    try:
        viewer = phone.new_page()
        viewer.set_default_timeout(30_000)
        assert viewer.goto(link).status == 200
        expect(viewer.locator("h1")).to_have_text(PROMPT)
        assert viewer.evaluate("document.documentElement.scrollWidth") <= 390  # nothing pushes the page sideways
        video = viewer.wait_for_selector("video.share-player")
        assert video.bounding_box()["width"] == 390  # edge to edge on a phone
        viewer.evaluate("v => { v.muted = true; return v.play(); }", video)
        viewer.wait_for_function("v => v.currentTime > 0.5 && !v.paused", arg=video, timeout=20_000)
        assert phone.cookies() == []

        page.click("#share-panel button:has-text('Stop sharing')")
        page.wait_for_selector("#share-panel input[name=show_prompt]")
        assert viewer.reload().status == 404
        expect(viewer.locator("h1")).to_have_text("This link does not work")
    finally:
        phone.close()
