"""@-mention completion and highlighting in the prompt (static/js/mentions.js with the vendored Tribute)."""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import media_factory

pytestmark = pytest.mark.django_db(transaction=True)

TRIBUTE = "vendor/tributejs-5.1.3/tribute.min.js"


def load_mentions(page, live_server):
    """The compose page loads the mention files itself; wait until they have wrapped the prompt."""
    assert page.locator("link[href*='css/mentions']").count() == 1
    assert page.locator(f"script[src*='{TRIBUTE}']").count() == 1
    assert page.locator("script[src*='js/mentions']").count() == 1
    page.wait_for_selector(".mention-field #id_prompt", state="attached")


def upload_references(page, media_dir):
    files = [
        media_factory.make_image(media_dir / "harbour.jpg", 960, 540, color=(20, 120, 160)),
        media_factory.make_image(media_dir / "lantern.png", 800, 800, color=(200, 140, 40)),
        media_factory.make_video(media_dir / "walk.mp4", seconds=2, width=640, height=360),
    ]
    page.set_input_files("#upload-input", [str(path) for path in files])
    page.wait_for_selector(".chip[data-mention='@video1']")
    expect(page.locator("#references .chip")).to_have_count(3)


def test_it_completes_and_highlights_mentions(signed_in_page, media_dir, live_server):
    page = signed_in_page
    load_mentions(page, live_server)
    upload_references(page, media_dir)
    prompt, menu, options = page.locator("#id_prompt"), page.locator(".mention-menu"), page.locator(".mention-option")

    prompt.click()
    page.keyboard.type("Hello @")
    expect(menu).to_be_visible()
    expect(options).to_have_count(3)
    expect(options.locator(".mention-label")).to_have_text(["@image1", "@image2", "@video1"])
    expect(options.locator(".mention-name")).to_have_text(["harbour.jpg", "lantern.png", "walk.mp4"])
    thumbnails = options.locator(".mention-thumb img")
    expect(thumbnails).to_have_count(3)
    page.wait_for_function("() => [...document.querySelectorAll('.mention-thumb img')].every(i => i.naturalWidth > 0)")
    page.screenshot(path="/tmp/mentions-menu.png", clip=_around(page, ".mention-menu", "#id_prompt"))

    # The keyboard picks the second reference; the insertion is an input event the live check hears.
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_class("mention-option is-selected")
    with page.expect_request(lambda request: checked_prompt(request) == "Hello @image2 "):
        page.keyboard.press("Enter")
    expect(prompt).to_have_value("Hello @image2 ")
    expect(menu).to_be_hidden()
    expect(page.locator(".mention-backdrop mark.mention-known")).to_have_text(["@image2"])

    # Nothing matches: the menu says so, Escape closes it and nothing is inserted.
    page.keyboard.type("@zzz")
    expect(menu).to_contain_text("No reference matches “@zzz”")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(prompt).to_have_value("Hello @image2 @zzz")

    # Filtering by mention, and Tab inserts the first match.
    page.keyboard.type(" @vid")
    expect(menu).to_be_visible()
    expect(options.locator(".mention-label")).to_have_text(["@video1"])
    page.keyboard.press("Tab")
    expect(prompt).to_have_value("Hello @image2 @zzz @video1 ")
    expect(prompt).to_be_focused()

    # A mention of a reference that does not exist is marked as a warning.
    page.keyboard.type("@image7 ")
    expect(page.locator(".mention-backdrop mark.mention-unknown")).to_have_text(["@image7"])
    expect(page.locator(".mention-backdrop mark.mention-known")).to_have_text(["@image2", "@video1"])

    # Filtering by file name, and the mouse picks.
    page.keyboard.type("@har")
    expect(options.locator(".mention-name")).to_have_text(["harbour.jpg"])
    options.first.click()
    expect(prompt).to_have_value("Hello @image2 @zzz @video1 @image7 @image1 ")
    expect(menu).to_be_hidden()
    expect(page.locator(".mention-backdrop mark.mention-known")).to_have_text(["@image2", "@video1", "@image1"])
    page.screenshot(path="/tmp/mentions-highlight.png", clip=_around(page, "#id_prompt"))

    # The textarea is still the form's field: the server sees what was typed.
    assert page.evaluate("new FormData(document.getElementById('compose-form')).get('prompt')") == prompt.input_value()


def test_it_highlights_every_written_form_against_the_chips(signed_in_page, media_dir, live_server):
    page = signed_in_page
    load_mentions(page, live_server)
    upload_references(page, media_dir)

    page.fill("#id_prompt", "【@图片1】和@视频_1 与 @IMAGE2, @audio1 @removed:image2 me@image1.example\n@image3")
    expect(page.locator(".mention-backdrop mark.mention-known")).to_have_text(["【@图片1】", "@视频_1", "@IMAGE2"])
    expect(page.locator(".mention-backdrop mark.mention-unknown")).to_have_text(
        ["@audio1", "@removed:image2", "@image3"]
    )


def test_it_completes_in_the_form_being_written(signed_in_page, media_dir, live_server):
    page = signed_in_page
    load_mentions(page, live_server)
    upload_references(page, media_dir)
    prompt = page.locator("#id_prompt")

    prompt.click()
    page.keyboard.type("用@视")  # no space before the @, as Chinese is written
    expect(page.locator(".mention-menu")).to_be_visible()
    expect(page.locator(".mention-option .mention-label")).to_have_text(["@video1"])
    page.keyboard.press("Enter")
    expect(prompt).to_have_value("用@视频1 ")
    expect(page.locator(".mention-backdrop mark.mention-known")).to_have_text(["@视频1"])


def test_it_keeps_working_when_htmx_replaces_the_chips(signed_in_page, media_dir, live_server):
    page = signed_in_page
    load_mentions(page, live_server)
    upload_references(page, media_dir)
    prompt = page.locator("#id_prompt")
    prompt.fill("@video1 then @image3")
    expect(page.locator(".mention-backdrop mark.mention-unknown")).to_have_text(["@image3"])

    # A third image arrives by an HTMX swap of #references: the warning goes, and one "@" + Enter inserts once.
    page.set_input_files("#upload-input", str(media_factory.make_image(media_dir / "dusk.webp", 640, 480)))
    page.wait_for_selector(".chip[data-mention='@image3']")
    expect(page.locator(".mention-backdrop mark.mention-unknown")).to_have_count(0)
    prompt.click()
    page.keyboard.press("End")
    page.keyboard.type(" @dusk")
    expect(page.locator(".mention-menu")).to_be_visible()
    expect(page.locator(".mention-option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(prompt).to_have_value("@video1 then @image3 @image3 ")
    assert page.locator(".mention-menu").count() == 1


def test_it_says_so_when_there_is_nothing_to_mention(signed_in_page, live_server):
    page = signed_in_page
    load_mentions(page, live_server)
    prompt = page.locator("#id_prompt")

    prompt.click()
    page.keyboard.type("@")
    expect(page.locator(".mention-menu")).to_contain_text("No references yet — upload one first")
    page.keyboard.press("Enter")  # with nothing to pick, Enter is a new line again
    expect(prompt).to_have_value("@\n")
    expect(page.locator(".mention-menu")).to_be_hidden()
    expect(page.locator(".mention-backdrop mark")).to_have_count(0)


def checked_prompt(request):
    """The prompt a live check (the compose form's hx-post, fired by its input events) sent, if this is one."""
    if request.method != "POST" or not request.url.endswith(reverse("check")):
        return None
    return parse_qs(request.post_data or "").get("prompt", [None])[0]


def _around(page, *selectors, margin=16):
    """The screenshot clip that shows all of these elements."""
    boxes = [page.locator(selector).bounding_box() for selector in selectors]
    left, top = min(b["x"] for b in boxes) - margin, min(b["y"] for b in boxes) - margin
    right = max(b["x"] + b["width"] for b in boxes) + margin
    bottom = max(b["y"] + b["height"] for b in boxes) + margin
    return {"x": max(left, 0), "y": max(top, 0), "width": right - max(left, 0), "height": bottom - max(top, 0)}
