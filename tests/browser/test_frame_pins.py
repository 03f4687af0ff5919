import pytest
from playwright.sync_api import expect

from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Composition
from tests import media_factory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hiapi_configured(settings):
    settings.PROVIDERS = {**settings.PROVIDERS, "hiapi": make_config("hiapi", "test-key-not-real")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


def test_it_pins_an_image_as_the_last_frame_on_hiapi(signed_in_page, media_dir, owner, hiapi_configured):
    page = signed_in_page
    picture = media_factory.make_image(media_dir / "dusk.png", 960, 540, color=(160, 80, 40))
    page.set_input_files("#upload-input", str(picture))
    page.wait_for_selector(".chip[data-mention='@image1']")
    page.fill("#id_prompt", "The harbour settles into @image1 as the sun goes down")
    # Switching provider checks the draft and brings HiAPI's "Use as" control: both answered before the pin, so
    # that no check in flight can take the place of the one the pin sends.
    with page.expect_response("**/compose/options/**"), page.expect_response("**/compose/check/"):
        page.select_option("#id_model", "hiapi/seedance-2-0")
    page.wait_for_selector("#live-panel .all-good")

    # Pinning saves the draft's references, then the live panel checks the draft again.
    with page.expect_response("**/compose/references/*/frame/"), page.expect_response("**/compose/check/"):
        page.get_by_label("Use @image1 as").select_option(label="Last frame")
    assert page.get_by_label("Use @image1 as").input_value() == "last"  # the swapped-in chip keeps the pin
    page.wait_for_selector("#live-panel .all-good")
    assert "First/last frames" in page.inner_text("#live-panel .mode")
    assert page.is_enabled("#submit-button")
    [dusk] = Composition.objects.draft_for(owner).ordered_references()
    assert dusk.frame == "last"

    # PiAPI reads frames by position and cannot send a last frame alone: the panel says how to fix it.
    page.select_option("#id_model", "piapi/seedance-2")
    finding = page.wait_for_selector("#live-panel .finding.error[data-code='frames.last_alone']")
    assert "clear its frame setting" in finding.inner_text()
    expect(page.get_by_label("Use @image1 as")).to_have_count(0)  # the options answer may come after the check
    page.get_by_role("button", name="Clear the last frame setting of @image1").click()
    page.wait_for_selector("#live-panel .finding.error[data-code='frames.last_alone']", state="detached")
    assert Composition.objects.draft_for(owner).ordered_references()[0].frame == ""
