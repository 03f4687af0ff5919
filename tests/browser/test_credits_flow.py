"""Money as a creative and an admin see it, in Chromium: a shortfall with Submit disabled, an admin's grant in
the admin panel, a reservation that becomes a charge when the emulated provider finishes, and a moderated job
that costs nothing."""

import re

import pytest
from django.contrib.auth import get_user_model

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_a_creative_short_of_credits_is_granted_some_then_pays_only_for_a_kept_video(
    browser, page, live_server, served_emulators, start_worker, settings
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
    users = get_user_model().objects
    creative = users.create_user("nora", password="a-long-test-password-6")
    ledger.grant(creative, 100, reason="Trial credits")
    users.create_superuser("ada", password="a-long-test-password-7")

    # 8 s at 720p on PiAPI seedance-2-fast: 8 x $0.16 (000:287) = $1.28 -> 128 credits, 28 more than she has.
    _sign_in(page, live_server, "nora", "a-long-test-password-6")
    page.wait_for_selector("#balance:has-text('100 credits')")
    page.select_option("#id_model", "piapi/seedance-2-fast")
    page.fill("#id_prompt", "A kite over the dunes at noon [[queue=1]] [[run=2]]")
    page.select_option("#id_duration", "8")
    page.select_option("#id_resolution", "720p")
    page.wait_for_selector("#live-panel .shortfall:has-text('28 more credits')")
    assert page.is_disabled("#submit-button")
    assert "28 more credits needed to submit" in page.inner_text("#submit-area")

    # The admin grants 200 credits from the admin panel: the Grant credits action on her account.
    admin_context = browser.new_context(viewport={"width": 1360, "height": 900})
    admin = admin_context.new_page()
    admin.goto(f"{live_server.url}/admin/login/")
    admin.fill("#id_username", "ada")
    admin.fill("#id_password", "a-long-test-password-7")
    admin.click("input[type=submit]")
    admin.goto(f"{live_server.url}/admin/credits/creditaccount/")
    admin.check(f"input[name=_selected_action][value='{CreditAccount.objects.get(user=creative).pk}']")
    admin.select_option("select[name=action]", "grant_credits")
    admin.click("button[name=index]")
    admin.fill("input[name=amount]", "200")
    admin.fill("input[name=reason]", "Launch campaign")
    admin.click("input[name=apply], button[name=apply]")
    admin.wait_for_selector("text=Granted")
    admin_context.close()
    assert CreditAccount.objects.get(user=creative).available == 300

    start_worker(**env)
    # Back in the composer, the next check sees the new balance and Submit comes alive.
    page.fill("#id_prompt", "A kite over the dunes at noon, wide shot [[queue=1]] [[run=2]]")
    page.wait_for_selector("#submit-button:not([disabled])")
    page.click("#submit-button")
    page.wait_for_selector("#balance:has-text('172 credits')")  # 300 - 128, and 128 held
    assert "128 held" in page.inner_text("#balance")
    page.wait_for_selector(".job-card .money:has-text('128 credits reserved')")
    page.wait_for_selector(".job-card .money:has-text('Charged 128 credits')", timeout=90_000)
    page.wait_for_selector(".job-card video")
    page.wait_for_selector("#balance:not(:has-text('held'))")  # the charge came out of what was held

    # A moderated job: reserved, then not charged, and the balance is back.
    page.fill("#id_prompt", "Something the provider refuses [[moderation]] [[queue=1]]")
    page.select_option("#id_duration", "4")
    page.wait_for_selector("#submit-button:not([disabled])")
    page.click("#submit-button")
    page.wait_for_selector(".job-card .money:has-text('Not charged: 64 credits refunded')", timeout=90_000)
    page.wait_for_selector("#balance:has-text('172 credits')")
    assert "held" not in page.inner_text("#balance")
    assert Job.objects.filter(owner=creative, credits_status="released", moderation=True).count() == 1
