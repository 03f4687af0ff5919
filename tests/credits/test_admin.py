"""The credits admin: accounts with their grant/deduct actions, the read-only ledger, the job admin's money
columns and settling actions, and the reconciliation and spend pages."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.provider_api import AccountBalance, ProviderError, make_config
from seedance_studio.references.models import Reference
from seedance_studio.studio.models import CompositionReference, Job
from seedance_studio.worker import remote
from tests.conftest import OWNER_CREDITS
from tests.credits import FakeBalanceClient, age, paid_job, set_aside, succeed

pytestmark = pytest.mark.django_db

ACCOUNTS = "/admin/credits/creditaccount/"
LEDGER = "/admin/credits/ledgerentry/"
JOBS = "/admin/studio/job/"
RECONCILIATION = "/admin/credits/reconciliation/"
SPEND = "/admin/credits/spend/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _action(client, url, action, pks, **fields):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], **fields}
    return client.post(url, data)


def _staff_client(django_user_model, *permissions) -> Client:
    staff = django_user_model.objects.create_user("sam", password="a-long-test-password-3", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    client = Client()
    client.force_login(staff)
    return client


# --- Who may see it ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ACCOUNTS, LEDGER, JOBS, RECONCILIATION, SPEND, "/admin/credits/"])
def test_it_sends_creatives_to_the_admin_sign_in(outsider_client, url):
    response = outsider_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", [RECONCILIATION, SPEND])
def test_it_refuses_the_reports_to_staff_who_may_not_read_the_ledger(django_user_model, url):
    assert _staff_client(django_user_model, "view_job").get(url).status_code == 403
    assert _staff_client_with_ledger(django_user_model).get(url).status_code == 200


def _staff_client_with_ledger(django_user_model) -> Client:
    django_user_model.objects.filter(username="sam").delete()
    return _staff_client(django_user_model, "view_ledgerentry")


def test_it_links_the_reports_from_the_admin_index(admin_client):
    text = _text(admin_client.get("/admin/"))
    assert f'href="{RECONCILIATION}"' in text and f'href="{SPEND}"' in text


# --- Accounts ----------------------------------------------------------------------------------------------


def test_it_lists_accounts_with_balances_searchable_and_sortable(admin_client, owner, outsider):
    ledger.grant(outsider, 25, reason="Trial")
    text = _text(admin_client.get(ACCOUNTS, {"o": "3"}))  # the third column, available, ascending
    assert text.index("oscar") < text.index("olivia") and f"{OWNER_CREDITS}" in text
    text = _text(admin_client.get(ACCOUNTS, {"o": "-3"}))
    assert text.index("olivia") < text.index("oscar")
    text = _text(admin_client.get(ACCOUNTS, {"q": "osc"}))
    assert "oscar" in text and "olivia" not in text


def test_it_grants_credits_through_the_ledger_after_asking_amount_and_reason(admin_client, admin_user, owner):
    account = owner.credit_account
    form = _action(admin_client, ACCOUNTS, "grant_credits", [account.pk])
    assert form.status_code == 200 and "Amount" in _text(form) and "Reason" in _text(form)

    response = _action(
        admin_client, ACCOUNTS, "grant_credits", [account.pk], apply="1", amount="500", reason="Festival budget"
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="grant", reason="Festival budget")
    assert (entry.amount, entry.admin, entry.available_after) == (500, admin_user, OWNER_CREDITS + 500)
    account.refresh_from_db()
    assert account.available == OWNER_CREDITS + 500
    assert "Granted 500 credits (olivia: 10,500 available)." in _text(admin_client.get(ACCOUNTS))


@pytest.mark.parametrize(
    "amount, reason, message",
    [
        ("", "Budget", "Enter an amount of credits."),
        ("abc", "Budget", "The amount must be a whole number of credits greater than 0"),
        ("1.5", "Budget", "The amount must be a whole number of credits greater than 0"),
        ("0", "Budget", "The amount must be a whole number of credits greater than 0"),
        ("-5", "Budget", "The amount must be a whole number of credits greater than 0"),
        ("99999999999", "Budget", "At most 1,000,000,000 credits at a time."),
        ("100", "   ", "Say why: the reason is kept in the ledger with the entry."),
    ],
)
@pytest.mark.parametrize("action", ["grant_credits", "deduct_credits"])
def test_it_refuses_bad_input_and_writes_nothing(admin_client, owner, action, amount, reason, message):
    entries = LedgerEntry.objects.count()
    response = _action(
        admin_client, ACCOUNTS, action, [owner.credit_account.pk], apply="1", amount=amount, reason=reason
    )
    assert response.status_code == 200 and message in _text(response)
    assert LedgerEntry.objects.count() == entries


def test_it_deducts_credits_as_one_adjustment(admin_client, owner):
    response = _action(
        admin_client,
        ACCOUNTS,
        "deduct_credits",
        [owner.credit_account.pk],
        apply="1",
        amount="300",
        reason="Refund issued outside the studio",
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjustment")
    assert (entry.amount, entry.available_after) == (-300, OWNER_CREDITS - 300)


def test_it_refuses_to_deduct_more_than_is_available_from_anyone(admin_client, owner, outsider):
    ledger.grant(outsider, 40, reason="Trial")
    entries = LedgerEntry.objects.count()
    response = _action(
        admin_client,
        ACCOUNTS,
        "deduct_credits",
        [owner.credit_account.pk, outsider.credit_account.pk],
        apply="1",
        amount="100",
        reason="Over-granted",
    )
    assert response.status_code == 200
    assert "oscar has 40 credits available, so 100 cannot be deducted" in _text(response)
    assert LedgerEntry.objects.count() == entries
    assert CreditAccount.objects.get(user=owner).available == OWNER_CREDITS  # the other one was rolled back


def test_it_grants_to_each_selected_account_once(admin_client, owner, outsider):
    accounts = CreditAccount.objects.filter(user__in=[owner, outsider]).values_list("pk", flat=True)
    _action(admin_client, ACCOUNTS, "grant_credits", list(accounts), apply="1", amount="10", reason="Bonus")
    assert sorted(LedgerEntry.objects.filter(reason="Bonus").values_list("user__username", flat=True)) == [
        "olivia",
        "oscar",
    ]


def test_it_saves_the_limits_and_never_the_balance_from_the_account_form(admin_client, owner):
    account = owner.credit_account
    response = admin_client.post(
        f"{ACCOUNTS}{account.pk}/change/",
        {"daily_spending_cap": "800", "max_jobs_in_flight": "2", "available": "99999", "held": "5"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.daily_spending_cap, account.max_jobs_in_flight) == (800, 2)
    assert (account.available, account.held) == (OWNER_CREDITS, 0)


def test_it_shows_the_newest_ledger_entries_on_the_account_page(admin_client, owner):
    job = paid_job(owner, credits=75)
    text = _text(admin_client.get(f"{ACCOUNTS}{owner.credit_account.pk}/change/"))
    assert "Test persona: the studio's admin funded this creative." in text.replace("&#x27;", "'")
    assert f'href="{JOBS}{job.pk}/change/"' in text
    assert f"{LEDGER}?user__id__exact={owner.pk}" in text
    assert 'name="available"' not in text  # read-only


def test_a_new_creative_is_listed_at_once_with_an_empty_account(admin_client, outsider):
    account = CreditAccount.objects.get(user=outsider)
    assert (account.available, account.held) == (0, 0)
    assert not LedgerEntry.objects.filter(user=outsider).exists()
    assert "oscar" in _text(admin_client.get(ACCOUNTS))
    assert admin_client.get(f"{ACCOUNTS}add/").status_code == 403  # accounts open themselves


# --- The ledger ----------------------------------------------------------------------------------------------


def test_the_ledger_cannot_be_added_to_changed_or_deleted_in_the_admin(admin_client, owner):
    entry = LedgerEntry.objects.get(user=owner)
    assert admin_client.get(f"{LEDGER}add/").status_code == 403
    response = admin_client.post(f"{LEDGER}{entry.pk}/change/", {"amount": "1", "reason": "forged"})
    assert response.status_code == 403
    assert admin_client.post(f"{LEDGER}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.amount == OWNER_CREDITS
    text = _text(admin_client.get(f"{LEDGER}{entry.pk}/change/"))
    assert 'name="_save"' not in text and 'class="deletelink"' not in text


def test_it_lists_the_ledger_with_job_links_filters_and_search(admin_client, owner):
    job = succeed(paid_job(owner, credits=120))
    gone = paid_job(owner, credits=30)
    Job.objects.filter(pk=gone.pk).update(status="failed", credits_status="released")
    Job.objects.filter(pk=gone.pk).delete()  # the job row can go; its entries stay
    text = _text(admin_client.get(LEDGER))
    assert f'href="{JOBS}{job.pk}/change/"' in text and "(deleted)" in text

    text = _text(admin_client.get(LEDGER, {"kind__exact": "consume"}))
    assert str(job.public_id)[:8] in text and "Test persona" not in text
    text = _text(admin_client.get(LEDGER, {"q": str(job.public_id)}))
    assert text.count(f'href="{JOBS}{job.pk}/change/"') == 2  # its reserve and its consume
    assert "Test persona" not in text
    assert "Test persona" in _text(admin_client.get(LEDGER, {"q": "olivia"}))
    assert admin_client.get(LEDGER, {"created_at__gte": "not-a-date"}).status_code in (200, 302)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [ACCOUNTS, LEDGER, JOBS, RECONCILIATION, SPEND])
def test_its_pages_take_the_same_queries_for_one_row_or_many(admin_client, owner, django_user_model, url):
    succeed(paid_job(owner), amount="1", unit="PIAPI_POINTS", studio_credits=1)
    set_aside(paid_job(owner))
    few = _queries(admin_client, url)
    for n in range(4):
        creative = django_user_model.objects.create_user(f"creative{n}")
        ledger.grant(creative, 500, reason="Budget")
        succeed(paid_job(creative, provider="goapi"), amount="2", unit="GOAPI_POINTS", studio_credits=2)
        set_aside(paid_job(creative))
        age(paid_job(creative), hours=48)
    assert _queries(admin_client, url) == few


@pytest.mark.parametrize(
    "url, query",
    [
        (LEDGER, {"job_public_id": "not-a-uuid"}),
        (LEDGER, {"user__id__exact": "x"}),
        (LEDGER, {"q": "%_'\\"}),
        (JOBS, {"created_at__gte": "yesterday"}),
        (JOBS, {"q": "' OR 1=1 --"}),
        (ACCOUNTS, {"o": "99"}),
        (f"{JOBS}not-a-pk/close/", {}),
        (f"{JOBS}424242/resume/", {}),
    ],
)
def test_it_never_fails_on_odd_input(admin_client, owner, url, query):
    assert admin_client.get(url, query).status_code in (200, 302, 404)


# --- Jobs ------------------------------------------------------------------------------------------------------


def test_it_lists_jobs_with_quote_charge_and_the_providers_cost(admin_client, owner):
    succeed(paid_job(owner, credits=120), amount="130", unit="PIAPI_POINTS", studio_credits=130)
    text = _text(admin_client.get(JOBS))
    for shown in ("PiAPI", "Seedance 2 Fast", "120", "130 PIAPI_POINTS = 130 credits", "+10"):
        assert shown in text
    text = _text(admin_client.get(JOBS, {"credits_status__exact": "released"}))
    assert "130 PIAPI_POINTS" not in text


def test_it_shows_the_recipe_and_quote_on_the_job_page(admin_client, owner):
    job = paid_job(owner, credits=120, prompt="@image1 walks into @video1")
    for position, (kind, name) in enumerate([("image", "sunrise.jpg"), ("video", "walk.mp4")]):
        reference = Reference.objects.create(
            owner=owner,
            kind=kind,
            file=f"references/{name}",
            original_name=name,
            format="x",
            extension="x",
            content_type="x",
            size_bytes=1,
            width=640,
            height=360,
        )
        CompositionReference.objects.create(composition=job.composition, reference=reference, position=position)
    text = _text(admin_client.get(f"{JOBS}{job.pk}/change/"))
    assert "@image1 walks into @video1" in text
    assert text.index("sunrise.jpg") < text.index("walk.mp4") and "<code>@video1</code> walk.mp4" in text
    assert "5 s x $0.240 = $1.20 -&gt; 120 credits" in text
    assert 'name="_save"' not in text  # nothing to edit on a job in flight that has no task to attach


def _unconfirmed(job: Job) -> Job:
    """A job whose create went unanswered: sent, no task id, being confirmed with the provider."""
    Job.objects.filter(pk=job.pk).update(create_sent_at=job.created_at, phase="confirm", status="running")
    return Job.objects.get(pk=job.pk)


def test_it_attaches_the_providers_task_to_a_job_whose_create_went_unanswered(admin_client, owner):
    job = _unconfirmed(paid_job(owner))
    assert 'name="provider_task_id"' in _text(admin_client.get(f"{JOBS}{job.pk}/change/"))
    response = admin_client.post(f"{JOBS}{job.pk}/change/", {"provider_task_id": " task-123 "})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.provider_task_id, job.phase, job.status, job.credits_status) == (
        "task-123",
        "follow",
        "running",
        "reserved",
    )


def test_it_refuses_a_task_id_another_job_already_has(admin_client, owner):
    other = paid_job(owner)
    Job.objects.filter(pk=other.pk).update(provider_task_id="task-123")
    job = _unconfirmed(paid_job(owner))
    response = admin_client.post(f"{JOBS}{job.pk}/change/", {"provider_task_id": "task-123"}, follow=True)
    assert response.status_code == 200 and "The task was not attached" in _text(response)
    assert Job.objects.get(pk=job.pk).provider_task_id == ""


def test_it_ignores_edits_of_a_job_with_nothing_to_attach(admin_client, owner):
    job = paid_job(owner)
    response = admin_client.post(
        f"{JOBS}{job.pk}/change/", {"provider_task_id": "task-9", "status": "succeeded", "price_credits": "1"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.provider_task_id, job.status, job.price_credits) == ("", "queued", 120)


def test_it_closes_a_set_aside_job_after_asking_why_and_releases_its_credits(admin_client, owner):
    job = set_aside(paid_job(owner, credits=120))
    form = _action(admin_client, JOBS, "close_after_reconciliation", [job.pk])
    assert form.status_code == 200 and "will be closed" in _text(form)

    refused = _action(admin_client, JOBS, "close_after_reconciliation", [job.pk], apply="1", reason="")
    assert "Say what you found at the provider" in _text(refused)
    assert Job.objects.get(pk=job.pk).status == "set_aside"

    response = _action(
        admin_client, JOBS, "close_after_reconciliation", [job.pk], apply="1", reason="no task at the provider"
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.credits_status) == ("failed", "released")
    release = LedgerEntry.objects.get(job_public_id=job.public_id, kind="release")
    assert release.amount == 120 and "no task at the provider" in release.reason
    assert CreditAccount.objects.get(user=owner).held == 0


def test_it_leaves_jobs_it_cannot_close_as_they_were(admin_client, owner):
    job = paid_job(owner)  # queued, being submitted: not the admin's to close
    response = _action(admin_client, JOBS, "close_after_reconciliation", [job.pk], apply="1", reason="why not")
    assert response.status_code == 302
    assert Job.objects.get(pk=job.pk).status == "queued"
    assert "left as it was" in _text(admin_client.get(JOBS))


def test_it_resumes_set_aside_jobs_from_the_list_and_from_the_job_page(admin_client, owner):
    listed, single = set_aside(paid_job(owner)), set_aside(paid_job(owner))
    assert _action(admin_client, JOBS, "resume", [listed.pk]).status_code == 302
    page = admin_client.get(f"{JOBS}{single.pk}/resume/")
    assert "will be resumed" in _text(page)
    assert admin_client.post(f"{JOBS}{single.pk}/resume/").status_code == 302
    assert set(Job.objects.values_list("status", "credits_status")) == {("running", "reserved")}


def test_it_closes_one_job_from_its_own_page(admin_client, owner):
    job = set_aside(paid_job(owner, credits=40))
    assert "Close after reconciliation" in _text(admin_client.get(f"{JOBS}{job.pk}/change/"))
    assert "Say what you found" in _text(admin_client.post(f"{JOBS}{job.pk}/close/", {"reason": " "}))
    assert admin_client.post(f"{JOBS}{job.pk}/close/", {"reason": "task failed, not billed"}).status_code == 302
    assert Job.objects.get(pk=job.pk).credits_status == "released"
    assert admin_client.get(f"{JOBS}999999/close/").status_code == 404


def test_creatives_cannot_settle_jobs(outsider_client, owner):
    job = set_aside(paid_job(owner))
    response = outsider_client.post(f"{JOBS}{job.pk}/close/", {"reason": "mine now"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert Job.objects.get(pk=job.pk).status == "set_aside"


# --- Reconciliation and spend ----------------------------------------------------------------------------------


def test_the_reconciliation_page_says_0_mismatches_when_the_books_agree(admin_client, owner, settings):
    settings.PROVIDERS = {}
    succeed(paid_job(owner, credits=120), amount="110", unit="PIAPI_POINTS", studio_credits=110)
    text = _text(admin_client.get(RECONCILIATION))
    assert "0 mismatches" in text and "1 job with a cost reported by the provider; 1 differs" in text
    assert "-10" in text and "No provider is configured" in text


def test_the_reconciliation_page_shows_what_is_wrong_and_what_waits(admin_client, owner, settings, monkeypatch):
    aside = set_aside(paid_job(owner, credits=30))
    overdue = age(paid_job(owner), hours=settings.PROVIDER_FOLLOW_HOURS + 1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE credits_creditaccount SET available = 5 WHERE user_id = %s", [owner.pk])
    settings.PROVIDERS = {"seedance2": make_config("seedance2", "key"), "hiapi": make_config("hiapi", "key")}
    clients = {
        "seedance2": FakeBalanceClient(AccountBalance(Decimal(4800), "SEEDANCE2_CREDITS")),
        "hiapi": FakeBalanceClient(
            ProviderError("HiAPI could not be reached (the connection failed).", permanent=False)
        ),
    }
    monkeypatch.setattr(remote, "provider_client", clients.get)

    text = _text(admin_client.get(RECONCILIATION))
    assert "1 mismatch" in text and "Balances against the ledger" in text
    assert f'href="{JOBS}{aside.pk}/close/"' in text and f'href="{JOBS}{aside.pk}/resume/"' in text
    assert f'href="{JOBS}{overdue.pk}/change/"' in text
    assert "<strong>4,800 Seedance2 credits</strong>" in text
    assert "could not be read: HiAPI could not be reached (the connection failed)." in text


def test_the_spend_page_charts_credits_per_day_per_provider_and_per_creative(admin_client, owner, outsider):
    succeed(paid_job(owner, credits=120))
    succeed(paid_job(owner, provider="goapi", credits=80))
    ledger.grant(outsider, 100, reason="Trial")
    succeed(paid_job(outsider, credits=30))
    text = _text(admin_client.get(SPEND))
    chart = text[text.index('<svg class="spend-chart"') : text.index("</svg>", text.index('<svg class="spend-chart"'))]
    assert "<script" not in chart and chart.count("<rect") == 30 + 2  # a hover area per day, a segment per provider
    assert re.search(r"<title>\w{3} \d+ \w{3} · PiAPI: 150 credits \(day: 230\)</title>", text)
    assert "PiAPI: 150 credits" in text and "GoAPI: 80 credits" in text  # the legend
    assert "<strong>olivia</strong>: 200 credits in 2 jobs" in text
    assert text.index("<strong>olivia</strong>") < text.index("<strong>oscar</strong>")


def test_the_spend_page_says_when_nothing_was_spent(admin_client):
    text = _text(admin_client.get(SPEND))
    assert "No credits were charged in the last 30 days." in text and 'class="spend-chart"' not in text
