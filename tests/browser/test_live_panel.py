import pytest

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
