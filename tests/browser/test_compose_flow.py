import pytest

from seedance_studio.studio.models import Job
from tests import media_factory

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_uploads_submits_and_plays_the_preview(signed_in_page, start_worker, media_dir, live_server):
    page = signed_in_page
    start_worker()
    picture = media_factory.make_image(media_dir / "harbour.png", 960, 540, color=(20, 120, 160))

    page.set_input_files("#upload-input", str(picture))
    page.wait_for_selector(".chip[data-mention='@image1']")
    assert "harbour.png" in page.inner_text("#references")

    page.fill("#id_prompt", "@image1 the harbour at dawn, slow push-in")
    page.select_option("#id_duration", "4")
    page.select_option("#id_resolution", "480p")
    page.click("#compose-form button[type=submit]")

    # The card appears without a reload (HX-Trigger -> gallery), then turns into a video when rendered.
    page.wait_for_selector(".job-card")
    video = page.wait_for_selector(".job-card video", timeout=90_000)
    assert Job.objects.get().status == "succeeded"
    page.evaluate("v => { v.muted = true; return v.play(); }", video)
    page.wait_for_function("v => v.currentTime > 0.5 && !v.paused", arg=video, timeout=20_000)
