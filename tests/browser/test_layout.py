"""The studio at a phone's, a laptop's and a wide monitor's size: nothing scrolls sideways, the header's links are
reachable (through the menu on a phone), a wide screen shows the workbench side by side with the newest results
above the fold; chips reorder by dragging or with the keyboard, renumbering the prompt; files dropped anywhere on
the page upload; Ctrl+Enter in the prompt submits."""

import base64

import pytest
from playwright.sync_api import expect

from seedance_studio.studio.models import Composition, Job
from tests.browser.accessibility import assert_no_sideways_scroll
from tests.jobs import succeeded
from tests.media_factory import make_image

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {390: 844, 1440: 900, 1920: 1080}


@pytest.fixture
def sized_page(browser, live_server, owner, settings):
    """A signed-in page of the width asked for (`sized_page(width)`)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    contexts = []

    def open_page(width):
        phone = width < 600
        context = browser.new_context(
            viewport={"width": width, "height": SIZES[width]}, is_mobile=phone, has_touch=phone
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{live_server.url}/accounts/signin/")
        page.fill("#id_username", "olivia")
        page.fill("#id_password", "a-long-test-password-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def _upload(page, media_dir, *names):
    for name in names:
        page.set_input_files("#upload-input", str(make_image(media_dir / name, 320, 180)))
        page.wait_for_selector(f".chip[data-name='{name}'] .chip-handle")


def _chip_names(page):
    return page.eval_on_selector_all("#references .chip", "chips => chips.map(chip => chip.dataset.name)")


def _inside_the_window(page, selector):
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width and box["width"] > 0


@pytest.mark.parametrize("width", [390, 1440, 1920])
def test_no_page_scrolls_sideways_and_the_header_links_are_reachable(sized_page, live_server, owner, media_dir, width):
    page = sized_page(width)
    _upload(page, media_dir, "a-rather-long-file-name-for-a-harbour-at-dawn.jpg", "lantern.png")
    job = succeeded(owner, media_dir, prompt="@image1 at dawn " + "and a long prompt " * 30)
    for path in ("/", "/gallery/", f"/jobs/{job.public_id}/", "/credits/"):
        page.goto(f"{live_server.url}{path}")
        assert_no_sideways_scroll(page, f"{path} at {width} px")

    page.goto(f"{live_server.url}/")
    toggle = page.locator(".menu-toggle")
    if width < 600:
        expect(page.locator("#topnav a:has-text('Gallery')")).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        for name in ("Compose", "Gallery", "Sign out"):
            expect(page.locator("#topnav").get_by_text(name, exact=True)).to_be_visible()
        assert _inside_the_window(page, "#topnav button:has-text('Sign out')")
        assert _inside_the_window(page, "#topnav .who")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()
        expect(page.locator("#topnav a:has-text('Gallery')")).to_be_hidden()
        toggle.click()
    else:
        expect(toggle).to_be_hidden()
    for name in ("Compose", "Gallery", "Sign out"):
        assert _inside_the_window(page, f"#topnav :text-is('{name}')"), name
    page.locator("#topnav a:has-text('Gallery')").click()
    page.wait_for_url(f"{live_server.url}/gallery/")
    expect(page.locator("h1")).to_have_text("Gallery")


@pytest.mark.parametrize("width", [1440, 1920])
def test_a_wide_screen_composes_side_by_side_with_the_newest_results_in_view(
    sized_page, live_server, owner, media_dir, width
):
    page = sized_page(width)
    _upload(page, media_dir, "harbour.jpg", "lantern.png")
    succeeded(owner, media_dir, prompt="@image1 at dawn")
    page.reload()
    boxes = {
        name: page.locator(selector).bounding_box()
        for name, selector in {
            "references": "#references",
            "prompt": "#compose-form",
            "check": "#live-panel",
            "results": "#gallery .job-card",
        }.items()
    }
    assert boxes["references"]["x"] < boxes["prompt"]["x"] < boxes["check"]["x"]  # three columns
    assert abs(boxes["references"]["y"] - boxes["check"]["y"]) < 2
    assert boxes["results"]["y"] + 120 < SIZES[width]  # the newest result starts above the fold
    right = boxes["check"]["x"] + boxes["check"]["width"]
    assert right > width - 60  # the whole width is used


def test_dragging_a_chip_renumbers_the_prompts_mentions(sized_page, media_dir):
    page = sized_page(1440)
    _upload(page, media_dir, "harbour.jpg", "lantern.png", "gull.png")
    page.fill("#id_prompt", "@image1 at dawn, @image2 glows, @image3 flies over")
    expect(page.locator("#live-panel")).not_to_contain_text("never mentioned")  # the chips have their final size
    page.locator(".chip[data-name='gull.png'] .chip-handle").drag_to(
        page.locator(".chip[data-name='harbour.jpg']"), target_position={"x": 40, "y": 4}
    )
    expect(page.locator("#references .chip").first).to_have_attribute("data-name", "gull.png")
    assert _chip_names(page) == ["gull.png", "harbour.jpg", "lantern.png"]
    expect(page.locator("#id_prompt")).to_have_value("@image2 at dawn, @image3 glows, @image1 flies over")
    expect(page.locator(".chip[data-name='gull.png']")).to_have_attribute("data-mention", "@image1")
    expect(page.locator("#chip-move-status")).to_contain_text("gull.png moved to place 1 of 3")


def test_the_keyboard_moves_a_chip_and_keeps_its_focus(sized_page, media_dir):
    page = sized_page(390)
    _upload(page, media_dir, "harbour.jpg", "lantern.png")
    page.fill("#id_prompt", "@image1 then @image2")
    page.focus(".chip[data-name='harbour.jpg'] .chip-handle")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#references .chip").first).to_have_attribute("data-name", "lantern.png")
    expect(page.locator("#id_prompt")).to_have_value("@image2 then @image1")
    expect(page.locator(".chip[data-name='harbour.jpg'] .chip-handle")).to_be_focused()
    page.keyboard.press("ArrowDown")  # already last: nothing is sent, and it says so
    expect(page.locator("#chip-move-status")).to_have_text("harbour.jpg is already last.")
    page.keyboard.press("Home")
    expect(page.locator("#references .chip").first).to_have_attribute("data-name", "harbour.jpg")
    expect(page.locator("#id_prompt")).to_have_value("@image1 then @image2")


def test_files_dropped_anywhere_on_the_page_are_uploaded(sized_page, media_dir, owner):
    page = sized_page(1440)
    picture = base64.b64encode(make_image(media_dir / "dropped.png", 320, 180).read_bytes()).decode()
    page.evaluate(
        """picture => {
            const bytes = Uint8Array.from(atob(picture), c => c.charCodeAt(0));
            const files = new DataTransfer();
            files.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
            const target = document.querySelector("#compose-form");
            target.dispatchEvent(new DragEvent("dragenter", {bubbles: true, cancelable: true, dataTransfer: files}));
            window.overlayShown = !document.querySelector(".page-drop").hidden;
            target.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: files}));
        }""",
        picture,
    )
    assert page.evaluate("window.overlayShown") is True
    page.wait_for_selector(".chip[data-name='dropped.png']")
    expect(page.locator(".page-drop")).to_be_hidden()
    assert [r.original_name for r in Composition.objects.draft_for(owner).ordered_references()] == ["dropped.png"]


def test_ctrl_enter_in_the_prompt_submits(sized_page, owner):
    page = sized_page(1440)
    page.fill("#id_prompt", "A lighthouse at night, slow orbit")
    expect(page.locator("#submit-button")).to_be_enabled()
    page.press("#id_prompt", "Control+Enter")
    page.wait_for_selector("#gallery .job-card")
    job = Job.objects.get()
    assert job.composition.prompt == "A lighthouse at night, slow orbit" and job.composition.owner == owner


def test_ctrl_enter_right_after_typing_waits_for_the_check(sized_page):
    page = sized_page(1440)
    expect(page.locator("#submit-button")).to_be_disabled()  # no prompt yet: the check says so
    page.type("#id_prompt", "Rain on a window")
    page.press("#id_prompt", "Control+Enter")  # before the check has enabled Submit
    page.wait_for_selector("#gallery .job-card")
    assert Job.objects.get().composition.prompt == "Rain on a window"


def test_the_first_tab_offers_to_skip_to_the_content_and_focus_is_drawn(sized_page):
    page = sized_page(1440)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # shown while focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the page's content, and draws a ring
    assert page.evaluate("document.activeElement.closest('main') !== null")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), outline
