import pytest

from seedance_studio.studio.models import Composition
from tests import media_factory

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_says_which_rule_breaks_and_disables_submit(signed_in_page, media_dir):
    page = signed_in_page
    picture = media_factory.make_image(media_dir / "harbour.png", 960, 540)
    page.set_input_files("#upload-input", str(picture))
    page.wait_for_selector(".chip[data-mention='@image1']")
    page.fill("#id_prompt", "@image1 the harbour at dawn")
    page.wait_for_selector("#live-panel .all-good")
    assert page.is_enabled("#submit-button")

    page.select_option("#id_model", "piapi/seedance-2-fast")
    page.select_option("#id_resolution", "1080p")
    finding = page.wait_for_selector("#live-panel .finding.error:has-text('not 1080p')")
    assert "Seedance 2 Fast renders 480p or 720p only" in finding.inner_text()
    assert "not 1080p" in page.inner_text("#slot-resolution")  # also right under the field
    assert page.is_disabled("#submit-button")
    assert "$" in page.inner_text("#live-panel .price") or "No price" in page.inner_text("#live-panel .price")

    page.select_option("#id_model", "local_preview/local")
    page.wait_for_selector("#live-panel .all-good")
    assert page.is_enabled("#submit-button")


def test_choosing_a_provider_brings_its_own_options(signed_in_page, media_dir, owner):
    """The provider select asks for its options itself; one of the same name keeps its value, as the check saves it,
    and each chip's "Use as" control follows the provider (HiAPI names its frames, EvoLink does not)."""
    page = signed_in_page
    page.set_input_files("#upload-input", str(media_factory.make_image(media_dir / "harbour.png", 960, 540)))
    page.wait_for_selector(".chip[data-mention='@image1']")
    assert page.locator("#provider-options fieldset").count() == 0

    with page.expect_response("**/compose/options/**"):
        page.select_option("#id_model", "hiapi/seedance-2-0")
    page.wait_for_selector("#provider-options legend:has-text('HiAPI options')")
    assert page.get_by_label("Use @image1 as").count() == 1
    with page.expect_response("**/compose/check/"):
        page.select_option("#id_extra_web_search", "on")

    with page.expect_response("**/compose/options/**"), page.expect_response("**/compose/check/"):
        page.select_option("#id_model", "evolink/standard")
    page.wait_for_selector("#provider-options legend:has-text('EvoLink options')")
    assert page.input_value("#id_extra_web_search") == "on"
    assert page.get_by_label("Use @image1 as").count() == 0
    draft = Composition.objects.draft_for(owner)
    assert (draft.provider, draft.extras) == ("evolink", {"web_search": True})


def test_typing_in_an_option_is_never_interrupted(signed_in_page):
    """The check that every keystroke sends never redraws the provider's options, so what is typed stays."""
    page = signed_in_page
    with page.expect_response("**/compose/options/**"):
        page.select_option("#id_model", "piapi/seedance-2")
    field = page.locator("#id_extra_asset_retention_hours")
    field.click()
    for digit in "1234":
        with page.expect_response("**/compose/check/"):
            page.keyboard.type(digit)
    assert field.input_value() == "1234"
    assert page.evaluate("document.activeElement.id") == "id_extra_asset_retention_hours"


def test_moving_a_chip_renumbers_the_prompt_as_typed(signed_in_page, media_dir, owner):
    """A move sends the prompt on the screen along, so what was typed a moment before is kept, renumbered."""
    page = signed_in_page
    files = [media_factory.make_image(media_dir / name, 320, 240) for name in ("first.png", "second.png")]
    page.set_input_files("#upload-input", [str(path) for path in files])
    page.wait_for_selector(".chip[data-mention='@image2']")
    page.fill("#id_prompt", "@image1 meets @image2")
    page.keyboard.press("End")
    with page.expect_response("**/compose/references/*/move/earlier/"):
        page.get_by_role("button", name="Move @image2 earlier").click()
    page.wait_for_selector(".chip[data-mention='@image1'][data-name='second.png']")
    assert page.input_value("#id_prompt") == "@image2 meets @image1"
    assert Composition.objects.draft_for(owner).prompt == "@image2 meets @image1"
