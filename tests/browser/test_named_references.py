"""Naming a chip in the browser: the name field saves on change, "@" then offers the name beside the number,
the prompt highlights it, and the check panel shows the prompt in the chosen provider's own form."""

import pytest
from playwright.sync_api import expect

from tests import media_factory
from tests.browser.test_mentions import load_mentions

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_named_chip_is_offered_in_completion_and_sent_in_the_providers_form(signed_in_page, media_dir, live_server):
    page = signed_in_page
    load_mentions(page, live_server)
    files = [
        media_factory.make_image(media_dir / "red.png", 960, 540, color=(200, 60, 40)),
        media_factory.make_image(media_dir / "blue.png", 960, 540, color=(40, 60, 200)),
    ]
    page.set_input_files("#upload-input", [str(path) for path in files])
    page.wait_for_selector(".chip[data-mention='@image2']")

    # Name the first chip: the field saves on change and the chip comes back carrying the name.
    name_field = page.locator(".chip[data-mention='@image1'] .chip-name input[name=name]")
    name_field.fill("hero")
    name_field.press("Enter")
    expect(page.locator(".chip[data-mention='@image1']")).to_have_attribute("data-ref-name", "hero")

    # "@he" offers the name (with the number it stands for); the number stays on offer with "@".
    prompt, options = page.locator("#id_prompt"), page.locator(".mention-option")
    prompt.click()
    page.keyboard.type("@")
    expect(options.locator(".mention-label")).to_have_text(["@hero @image1", "@image1 @hero", "@image2"])
    page.keyboard.type("he")
    expect(options.locator(".mention-label")).to_have_text(["@hero @image1"])
    page.keyboard.press("Enter")
    # Tribute inserts the pick a tick after Enter; a key typed before that tick (Playwright types faster than
    # anyone) would reach the menu first and leave nothing to insert.
    expect(prompt).to_have_value("@hero ")
    page.keyboard.type("crosses @image2")
    expect(prompt).to_have_value("@hero crosses @image2")
    expect(page.locator(".mention-backdrop mark.mention-known")).to_have_text(["@hero", "@image2"])

    # The panel shows the prompt as the chosen provider will receive it.
    sent = page.locator("#live-panel .sent-prompt-text")
    expect(sent).to_have_text("@hero crosses @image2")  # the local preview shows it as typed
    page.select_option("#id_model", "evolink/fast")
    expect(page.locator("#live-panel .sent-prompt h3")).to_have_text("As EvoLink receives it")
    expect(sent).to_have_text("image 1 crosses image 2")
    page.select_option("#id_model", "piapi/seedance-2-fast")
    expect(sent).to_have_text("@image1 crosses @image2")

    # Renaming the chip rewrites the prompt.
    name_field = page.locator(".chip[data-mention='@image1'] .chip-name input[name=name]")
    name_field.fill("lead")
    name_field.press("Enter")
    expect(prompt).to_have_value("@lead crosses @image2")
