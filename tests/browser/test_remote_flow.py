import pytest

from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_follows_an_emulated_provider_from_queued_to_playing(
    signed_in_page, live_server, served_emulators, start_worker, settings
):
    env = {**served_emulators.env, "PUBLIC_BASE_URL": live_server.url}
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDERS = {
        "piapi": make_config(
            "piapi",
            env["PIAPI_API_KEY"],
            base_url=env["PIAPI_BASE_URL"],
            allowed_result_hosts=[env["PIAPI_RESULT_HOSTS"]],
            emulated=True,
        )
    }
    start_worker(**env)
    page = signed_in_page
    page.select_option("#id_model", "piapi/seedance-2-fast")
    page.fill("#id_prompt", "A paper lantern drifting over a night harbour [[queue=2]] [[run=3]]")
    page.select_option("#id_duration", "4")
    page.select_option("#id_resolution", "480p")
    page.wait_for_selector("#live-panel .credits:has-text('credits')")
    page.wait_for_selector("#submit-button:not([disabled])")
    page.click("#submit-button")

    page.wait_for_selector(".job-card .state:has-text('PiAPI')")  # queued or running at the provider
    video = page.wait_for_selector(".job-card video", timeout=90_000)
    job = Job.objects.get()
    assert job.status == "succeeded" and job.provider_task_id
    page.evaluate("v => { v.muted = true; return v.play(); }", video)
    page.wait_for_function("v => v.currentTime > 0.5 && !v.paused", arg=video, timeout=20_000)
