"""Compare every provider, takes and the A/B page in Chromium: the comparison lists every tier with its price and
switches the composer; four takes make four jobs and four reservations, and with credits for three, none; the
A/B page plays two results in sync."""

import pytest

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.provider_api import make_config
from seedance_studio.seedance.specs import PROVIDERS
from seedance_studio.studio.models import Job
from tests.jobs import succeeded

pytestmark = pytest.mark.django_db(transaction=True)
PRICE = 32  # PiAPI Seedance 2 Fast, 4 s at 480p: 4 x $0.08 (000:286)


@pytest.fixture(autouse=True)
def _piapi(settings):
    settings.PROVIDERS = {"piapi": make_config("piapi", "test-key-piapi")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


def _compose(page):
    page.fill("#id_prompt", "A lighthouse at dawn, slow push-in")
    page.select_option("#id_model", "piapi/seedance-2-fast")
    page.select_option("#id_duration", "4")
    page.select_option("#id_resolution", "480p")
    page.wait_for_selector("#submit-button:has-text('32 credits'):not([disabled])")


def test_compare_lists_every_tier_with_a_price_and_switches_the_composer(signed_in_page):
    page = signed_in_page
    _compose(page)
    page.click("#compare-summary")
    every = {f"{spec.id}/{tier.id}" for spec in PROVIDERS.values() for tier in spec.tiers}
    count = "n => document.querySelectorAll('#compare-table tr.compare-row').length === n"
    page.wait_for_function(count, arg=len(every))
    rows = page.eval_on_selector_all(
        "#compare-table tr.compare-row",
        "rows => rows.map(r => [r.dataset.model, r.classList.contains('invalid'), "
        "r.querySelector('.price').innerText])",
    )
    assert {model for model, _, _ in rows} == every
    valid = [(model, price) for model, invalid, price in rows if not invalid]
    assert all("credit" in price or price.startswith("Free") for _, price in valid), valid
    assert ("piapi/seedance-2-fast", "32 credits") in valid
    # Invalid ones last, each with its reason in words.
    flags = [invalid for _, invalid, _ in rows]
    assert flags == sorted(flags)
    assert page.locator("#compare-table tr.invalid .validity .error").count() == flags.count(True)

    page.click("#compare-table tr[data-model='piapi/seedance-2'] button[data-model]")
    assert page.input_value("#id_model") == "piapi/seedance-2"
    page.wait_for_selector("#submit-button:has-text('40 credits')")  # the live check ran for the new tier
    page.wait_for_selector("#compare-table tr.selected[data-model='piapi/seedance-2']")  # and the comparison after it


def test_four_takes_make_four_jobs_and_with_credits_for_three_none(signed_in_page, owner):
    page = signed_in_page
    _compose(page)
    page.select_option("select[name=take_count]", "4")
    page.click("#takes-button")
    page.wait_for_selector("#compose-form .notice:has-text('4 takes submitted')")
    jobs = Job.objects.filter(owner=owner)
    assert jobs.count() == 4 and len(set(jobs.values_list("take_group", flat=True))) == 1
    assert LedgerEntry.objects.filter(user=owner, kind="reserve", amount=PRICE).count() == 4
    page.wait_for_selector("#gallery .take-group-head:has-text('4 takes')")

    account = CreditAccount.objects.get(user=owner)
    ledger.deduct(owner, account.available - 3 * PRICE, reason="Test: credits for three takes.")
    page.reload()
    _compose(page)
    page.select_option("select[name=take_count]", "4")
    page.click("#takes-button")
    page.wait_for_selector("#compose-form .refusals:has-text('32 more needed')")
    assert "None of the takes was submitted" in page.inner_text("#compose-form .refusals")
    assert Job.objects.filter(owner=owner).count() == 4
    assert LedgerEntry.objects.filter(user=owner, kind="reserve").count() == 4


def test_the_ab_page_plays_both_videos_in_sync(signed_in_page, live_server, owner, media_dir):
    page = signed_in_page
    a = succeeded(owner, media_dir, prompt="Take A", seconds=6.0, duration=6)
    b = succeeded(owner, media_dir, prompt="Take B", seconds=6.0, duration=6)
    page.goto(f"{live_server.url}/jobs/compare/?a={a.public_id}&b={b.public_id}")
    assert "Prompt" in page.inner_text(".ab-difference")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-ab-video]')].every(v => v.readyState >= 3)", timeout=20_000
    )
    videos = "[...document.querySelectorAll('[data-ab-video]')]"
    page.evaluate(f"() => {videos}[0].play()")  # playing A plays B
    page.wait_for_function(f"() => {videos}.every(v => !v.paused && v.currentTime > 1.0)", timeout=20_000)
    for _ in range(10):
        times = page.evaluate(f"() => {videos}.map(v => v.currentTime)")
        assert abs(times[0] - times[1]) < 0.2, times
        page.wait_for_timeout(150)
    page.evaluate(f"() => {videos}[1].pause()")  # pausing B pauses A
    page.wait_for_function(f"() => {videos}.every(v => v.paused)")
    page.evaluate(f"() => {{ {videos}[0].currentTime = 3.5; }}")  # seeking A seeks B
    page.wait_for_function(f"() => Math.abs({videos}[1].currentTime - 3.5) < 0.2 && !{videos}[1].seeking")
    times = page.evaluate(f"() => {videos}.map(v => v.currentTime)")
    assert abs(times[0] - times[1]) < 0.2, times

    page.click(f"#favourite-{a.public_id} button")
    page.wait_for_selector(f"#favourite-{a.public_id} button:has-text('★ Favourite')")
    assert Job.objects.get(pk=a.pk).favourite
