"""The gallery in a real browser: a card that follows its render to a playing video, older jobs loaded as the
creative scrolls, filters that live in the address bar."""

import pytest
from django.core.cache import cache

from seedance_studio.studio.models import Job
from tests.jobs import submitted
from tests.test_gallery import make_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_run_time_estimates():
    cache.clear()


def test_it_turns_a_queued_card_into_a_playing_video_without_a_reload(signed_in_page, live_server, owner, start_worker):
    page = signed_in_page
    job = submitted(owner, prompt="The harbour at dawn, slow push-in", duration=4, resolution="480p")
    page.goto(f"{live_server.url}/gallery/")
    card = f"#job-{job.public_id}"
    page.wait_for_selector(f"{card}[data-status=queued] .state:has-text('Queued')")
    page.evaluate("window.sameDocument = true")

    start_worker()
    video = page.wait_for_selector(f"{card} video", timeout=90_000)
    assert page.evaluate("window.sameDocument") is True  # swapped in by the card's own polling
    assert Job.objects.get(pk=job.pk).status == "succeeded"
    assert page.get_attribute(card, "hx-get") is None  # an ended card polls no more

    page.hover(card)  # hovering plays it, muted
    page.wait_for_function("v => !v.paused && v.muted && v.currentTime > 0.3", arg=video, timeout=20_000)
    page.mouse.move(0, 0)
    page.wait_for_function("v => v.paused", arg=video)

    page.focus(f"{card} a.frame")  # and so does reaching it with the keyboard
    page.wait_for_function("v => !v.paused", arg=video, timeout=20_000)
    page.evaluate("document.activeElement.blur()")
    page.wait_for_function("v => v.paused", arg=video)


def test_scrolling_to_the_bottom_loads_older_jobs(signed_in_page, live_server, owner):
    page = signed_in_page
    jobs = make_jobs(owner, 45, status="failed", error_message="It broke.", prompt="take {n}")
    page.goto(f"{live_server.url}/gallery/")
    assert page.locator(".job-card").count() == 24

    page.mouse.wheel(0, 20_000)  # down to the bottom, as a creative scrolls
    page.wait_for_function("() => document.querySelectorAll('.job-card').length === 45")
    ids = page.eval_on_selector_all(".job-card", "cards => cards.map(card => card.id)")
    assert ids == [f"job-{job.public_id}" for job in reversed(jobs)]
    assert page.locator(".show-older").count() == 0 and page.is_visible("text=That was every job")
    assert page.url == f"{live_server.url}/gallery/"  # paging does not touch the address bar


def test_filters_live_in_the_address_bar_and_the_back_button_undoes_them(signed_in_page, live_server, owner):
    page = signed_in_page
    make_jobs(owner, 3, prompt="a lighthouse {n}")
    make_jobs(owner, 2, prompt="a cat {n}", status="failed", error_message="It broke.")
    page.goto(f"{live_server.url}/gallery/")
    assert page.locator(".job-card").count() == 5

    page.fill("input[name=q]", "cat")
    page.wait_for_function("() => document.querySelectorAll('.job-card').length === 2")
    assert "q=cat" in page.url
    page.select_option("select[name=status]", "succeeded")
    page.wait_for_selector(".no-match")
    assert "status=succeeded" in page.url

    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('.job-card').length === 2")
    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('.job-card').length === 5")

    page.goto(f"{live_server.url}/gallery/?q=lighthouse")
    # A filtered URL is a bookmark.
    assert page.locator(".job-card").count() == 3 and page.input_value("input[name=q]") == "lighthouse"
