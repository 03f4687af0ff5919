"""Money where creatives see it: the header balance, the check panel's shortfall, each gallery card's credits,
and cancelling a job that was not sent yet."""

import re
import uuid

import pytest

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.studio.models import Job
from tests.compose_forms import HTMX
from tests.conftest import OWNER_CREDITS
from tests.credits.money import claimed, submit_paid

pytestmark = pytest.mark.django_db

# PiAPI seedance-2-fast at 720p is $0.16 per second (000:287): 8 s = $1.28 = 128 credits.
COSTLY = {
    "prompt": "A kite over the dunes",
    "model": "piapi/seedance-2-fast",
    "mode": "auto",
    "duration": "8",
    "aspect_ratio": "16:9",
    "resolution": "720p",
    "generate_audio": "on",
}


@pytest.fixture
def hundred_credits_client(client, django_user_model):
    creative = django_user_model.objects.create_user("hana", password="a-long-test-password-5")
    ledger.grant(creative, 100, reason="trial")
    client.force_login(creative)
    client.creative = creative
    return client


def _disabled(page: str) -> bool:
    return bool(re.search(r'id="submit-button"[^>]*\sdisabled', page))


def test_the_header_shows_the_balance(owner_client, owner):
    submit_paid(owner)
    page = owner_client.get("/").content.decode()
    assert 'id="balance"' in page and "9,960</strong> credits" in page and "40 held" in page


def test_the_panel_says_how_many_credits_are_missing_and_submit_is_disabled(hundred_credits_client):
    page = hundred_credits_client.post(
        "/compose/check/", {**COSTLY, "submission_key": str(uuid.uuid4())}, **HTMX
    ).content.decode()
    assert "Your balance (100 credits) does not cover this job" in page and "28 more credits" in page
    assert "28 more credits needed to submit." in page
    assert _disabled(page)


def test_the_panel_allows_a_job_the_balance_covers(hundred_credits_client):
    page = hundred_credits_client.post(
        "/compose/check/", {**COSTLY, "duration": "4", "submission_key": str(uuid.uuid4())}, **HTMX
    ).content.decode()
    assert "does not cover" not in page and not _disabled(page)


def test_a_forced_submit_over_the_balance_is_refused_and_creates_nothing(hundred_credits_client):
    response = hundred_credits_client.post("/compose/submit/", {**COSTLY, "submission_key": str(uuid.uuid4())}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "28 more needed" in page
    assert "HX-Trigger" not in response.headers
    assert not Job.objects.exists()
    assert CreditAccount.objects.get(user=hundred_credits_client.creative).available == 100


def test_submitting_updates_the_header_balance_out_of_band(hundred_credits_client):
    response = hundred_credits_client.post(
        "/compose/submit/", {**COSTLY, "duration": "4", "submission_key": str(uuid.uuid4())}, **HTMX
    )
    page = response.content.decode()
    assert "job-created" in response.headers["HX-Trigger"]
    assert re.search(r'id="balance"[^>]*hx-swap-oob="true"', page)
    assert "<strong>36</strong> credits" in page and "64 held" in page


def test_each_card_shows_its_money(owner_client, owner):
    reserved = submit_paid(owner, prompt="reserved one")
    charged = submit_paid(owner, prompt="charged one")
    claimed(charged).succeed("worker-a")
    refunded = submit_paid(owner, prompt="refunded one")
    claimed(refunded).fail("worker-a", "PiAPI could not make this video: no reason given.")
    page = owner_client.get("/gallery/").content.decode()
    assert re.search(rf'id="job-{reserved.public_id}".*?40 credits reserved', page, re.S)
    assert re.search(rf'id="job-{charged.public_id}".*?Charged 40 credits', page, re.S)
    assert re.search(rf'id="job-{refunded.public_id}".*?Not charged: 40 credits refunded', page, re.S)
    assert page.count("Receipt</a>") == 3


def test_a_set_aside_card_says_the_credits_are_held_not_lost(owner_client, owner):
    job = claimed(submit_paid(owner))
    job.set_aside("worker-a", "The studio could not keep the result; an admin will settle it.")
    page = owner_client.get(f"/jobs/{job.public_id}/card/", **HTMX).content.decode()
    assert "Set aside for an admin" in page and "40 credits held, not spent, until an admin settles it" in page


def test_a_card_refresh_also_refreshes_the_header_balance(owner_client, owner):
    job = submit_paid(owner)
    claimed(job).fail("worker-a", "failed")
    page = owner_client.get(f"/jobs/{job.public_id}/card/", **HTMX).content.decode()
    assert re.search(r'id="balance"[^>]*hx-swap-oob="true"', page)
    assert f"<strong>{OWNER_CREDITS:,}</strong> credits" in page


def test_cancelling_an_unsent_job_releases_its_credits_at_once(owner_client, owner):
    job = submit_paid(owner)
    assert "Cancel</button>" in owner_client.get("/gallery/").content.decode()
    response = owner_client.post(f"/jobs/{job.public_id}/cancel/", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "Cancelled" in page and "40 credits are back in your balance" in page
    assert f"<strong>{OWNER_CREDITS:,}</strong> credits" in page
    job.refresh_from_db()
    assert job.status == "cancelled" and job.credits_status == "released"


def test_cancelling_without_javascript_redirects_to_the_gallery_with_a_message(owner_client, owner):
    job = submit_paid(owner)
    response = owner_client.post(f"/jobs/{job.public_id}/cancel/", follow=True)
    assert response.redirect_chain[-1][0] == "/gallery/"
    assert "Cancelled. 40 credits are back in your balance." in response.content.decode()


def test_a_job_already_sent_says_why_it_cannot_be_cancelled(owner_client, owner):
    job = claimed(submit_paid(owner))
    job.mark_create_sent("worker-a", callback_token_hash="h")
    page = owner_client.post(f"/jobs/{job.public_id}/cancel/", **HTMX).content.decode()
    assert "already sent to the provider, so it can no longer be cancelled" in page
    assert "Cancel</button>" not in page
    assert Job.objects.get(pk=job.pk).credits_status == "reserved"


def test_another_creative_cannot_cancel_the_job(outsider_client, owner):
    job = submit_paid(owner)
    assert outsider_client.post(f"/jobs/{job.public_id}/cancel/", **HTMX).status_code == 404
    assert Job.objects.get(pk=job.pk).is_in_flight


def test_cancel_takes_a_post_only(owner_client, owner):
    job = submit_paid(owner)
    assert owner_client.get(f"/jobs/{job.public_id}/cancel/").status_code == 405


def test_deleting_a_paid_job_keeps_its_money_trail_and_receipt(owner_client, owner):
    job = submit_paid(owner)
    claimed(job).fail("worker-a", "PiAPI could not make this video.")
    assert Job.objects.get(pk=job.pk).delete_with_files()
    assert [e.kind for e in LedgerEntry.objects.filter(job_public_id=job.public_id).order_by("pk")] == [
        "reserve",
        "release",
    ]
    receipt = owner_client.get(f"/credits/jobs/{job.public_id}/")
    assert receipt.status_code == 200 and "Deleted" in receipt.content.decode()
