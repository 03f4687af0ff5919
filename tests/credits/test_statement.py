"""The credits page, the receipt per job and the CSV statement: a creative can see where every credit went,
refunds included, and nobody else's."""

import csv
import html as html_lib
import io
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seedance_studio.credits import ledger, views
from seedance_studio.credits.views import spreadsheet_safe
from seedance_studio.studio.models import Job
from tests.conftest import OWNER_CREDITS
from tests.credits.money import PAID_5S_CREDITS, claimed, submit_paid

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page's visible text, whitespace squeezed (assert on what a creative reads, not on markup)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text).replace(" .", ".").replace(" ,", ",")


def _failed_job(owner, reason="PiAPI refused the prompt: content policy", **fields) -> Job:
    job = submit_paid(owner, **fields)
    claimed(job).fail("worker-a", reason)
    return Job.objects.get(pk=job.pk)


def _grants(user, count: int, amount: int = 1) -> None:
    for number in range(count):
        ledger.grant(user, amount, reason=f"Top-up {number}")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_shows_the_balance_and_the_entries_in_words(owner_client, owner):
    job = submit_paid(owner)

    response = owner_client.get("/credits/")

    assert response.status_code == 200
    text = _text(response)
    assert f"{OWNER_CREDITS - PAID_5S_CREDITS:,} available" in text
    assert f"{PAID_5S_CREDITS} held by 1 job in flight" in text
    assert "Reserved for job “A lighthouse at dawn, slow push-in”" in text
    assert f"−{PAID_5S_CREDITS}" in text
    assert "Granted by an admin: Test persona: the studio's admin funded this creative." in text
    assert f"+{OWNER_CREDITS:,}" in text
    assert f'href="/credits/jobs/{job.public_id}/"' in response.content.decode()
    # Newest first: the reservation comes before the grant that paid for it.
    assert text.index("Reserved for job") < text.index("Granted by an admin")


def test_it_shows_a_failed_jobs_reservation_its_refund_and_the_balance_back(owner_client, owner):
    job = _failed_job(owner)

    text = _text(owner_client.get("/credits/"))

    assert "Refunded: PiAPI refused the prompt: content policy" in text
    assert f"+{PAID_5S_CREDITS}" in text and f"−{PAID_5S_CREDITS}" in text
    assert f"{OWNER_CREDITS:,} available" in text and "0 held (no jobs in flight)" in text
    assert text.index("Refunded:") < text.index("Reserved for job")

    receipt = _text(owner_client.get(f"/credits/jobs/{job.public_id}/"))
    assert "Failed" in receipt
    assert f"Reserved {PAID_5S_CREDITS} credits" in receipt
    assert f"Refunded {PAID_5S_CREDITS} credits" in receipt
    assert "not charged: PiAPI refused the prompt: content policy" in receipt
    assert f"Your balance right after: {OWNER_CREDITS:,} available." in receipt


def test_it_shows_an_empty_statement_to_a_creative_with_nothing(outsider_client):
    text = _text(outsider_client.get("/credits/"))
    assert "0 available" in text
    assert "No credits yet: an admin grants them" in text


def test_it_pages_the_statement_by_fifty_with_real_links(owner_client, owner):
    _grants(owner, 119)  # with the persona's grant: 120 entries, 3 pages

    pages, paths, path = [], [], "/credits/"
    while path:
        response = owner_client.get(path)
        assert response.status_code == 200
        paths.append(path)
        pages.append(re.findall(r"Top-up (\d+)|Test persona", _text(response)))
        path = _link(response, "next")

    assert [len(page) for page in pages] == [50, 50, 20]
    assert pages[0][0] == "118" and pages[2][-1] == ""  # newest first; the persona's grant is the very first
    assert len({number for page in pages for number in page}) == 120  # nothing repeated, nothing skipped

    # "Newer" from page 2 is page 1 again, which has no newer link.
    first_again = owner_client.get(_link(owner_client.get(paths[1]), "prev"))
    assert re.findall(r"Top-up (\d+)|Test persona", _text(first_again)) == pages[0]
    assert _link(first_again, "prev") is None


def _link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_it_pages_as_an_htmx_fragment_too(owner_client, owner):
    _grants(owner, 60)
    response = owner_client.get("/credits/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="statement"')
    assert "Your credits" not in html  # the balance card is not part of the fragment
    assert "HX-Request" in response["Vary"]


def _queries_for_first_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/credits/").status_code == 200
    return len(queries)


def test_it_costs_the_same_queries_for_120_entries_as_for_10(owner, outsider, client):
    # Job entries on the first page in both cases, each of a different job: a query per row would show.
    _grants(outsider, 4, amount=100)
    for _ in range(3):
        _failed_job(outsider)  # 4 grants + 3 x (reserve, release) = 10 entries
    client.force_login(outsider)
    with_ten = _queries_for_first_page(client)

    _grants(owner, 69)
    for _ in range(25):
        _failed_job(owner)  # 1 + 69 grants + 25 x 2 = 120 entries, the newest 50 naming 25 jobs
    client.force_login(owner)
    with_120 = _queries_for_first_page(client)

    assert with_120 == with_ten


def test_it_filters_by_kind(owner_client, owner):
    _failed_job(owner)
    text = _text(owner_client.get("/credits/?kind=release"))
    assert "Refunded: PiAPI refused the prompt" in text
    assert "Reserved for job" not in text and "Granted by an admin" not in text


def test_it_never_shows_another_creatives_entries_or_receipt(owner, outsider_client):
    job = submit_paid(owner, prompt="The owner's secret storyboard")

    statement = _text(outsider_client.get("/credits/"))
    assert "secret storyboard" not in statement and "Reserved for job" not in statement
    assert outsider_client.get(f"/credits/jobs/{job.public_id}/").status_code == 404
    rows = _csv(outsider_client.get("/credits/statement.csv"))
    assert rows == [rows[0]]  # the header alone


def test_it_sends_anonymous_visitors_to_sign_in(client, owner):
    job = submit_paid(owner)
    for path in ("/credits/", "/credits/statement.csv", f"/credits/jobs/{job.public_id}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/signin/?next=")


def test_it_exports_every_entry_as_csv(owner_client, owner, monkeypatch):
    monkeypatch.setattr(views, "CSV_CHUNK", 7)  # several chunks, each with its own job lookup
    _grants(owner, 60)
    job = _failed_job(owner)

    response = owner_client.get("/credits/statement.csv")

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="seedance-studio-credits-{today}.csv"'
    header, *rows = _csv(response)
    assert header == [
        "time",
        "kind",
        "description",
        "amount",
        "available_after",
        "held_after",
        "job_id",
        "quote_summary",
    ]
    assert len(rows) == 1 + 60 + 2  # every entry, not one page
    reserve, release = rows[-2], rows[-1]
    assert reserve[1:4] == ["reserve", "Reserved for job “A lighthouse at dawn, slow push-in”", f"-{PAID_5S_CREDITS}"]
    assert release[1:4] == ["release", "Refunded: PiAPI refused the prompt: content policy", str(PAID_5S_CREDITS)]
    assert release[6] == str(job.public_id) and release[7] == job.quote["summary"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", release[0])
    # The amount column is the change to available credits: it adds up to the final balance.
    assert sum(int(row[3]) for row in rows) == int(release[4]) == OWNER_CREDITS + 60


@pytest.mark.parametrize(
    "cell, safe",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Refunded: =1", "Refunded: =1"),
        ("", ""),
    ],
)
def test_it_guards_csv_text_cells_against_formulas(cell, safe):
    assert spreadsheet_safe(cell) == safe


def test_it_guards_a_csv_cell_a_hostile_text_would_start(owner_client, owner):
    job = submit_paid(owner)
    # Every description starts with the studio's own words and the summary is the core's, so no real cell starts
    # with a formula today; a stored hostile summary shows the guard is applied where the file is written.
    Job.objects.filter(pk=job.pk).update(quote={**job.quote, "summary": "=cmd|' /C calc'!A0"})
    rows = _csv(owner_client.get("/credits/statement.csv"))
    assert rows[-1][7] == "'=cmd|' /C calc'!A0"
    assert rows[-1][3] == f"-{PAID_5S_CREDITS}"  # numbers stay numbers


def test_it_shows_the_receipt_of_a_succeeded_job_with_the_providers_cost(owner_client, owner):
    job = submit_paid(owner)
    price = job.price_credits
    claimed(job).succeed(
        "worker-a", provider_cost={"amount": "0.35", "unit": "USD", "studio_credits": price - 5, "raw": {"cost": 0.35}}
    )

    response = owner_client.get(f"/credits/jobs/{job.public_id}/")

    assert response.status_code == 200
    text = _text(response)
    assert "A lighthouse at dawn, slow push-in" in text
    assert "PiAPI · Seedance 2 Fast" in text and "5 s" in text and "480p" in text
    assert job.quote["summary"] in text
    assert all(line in text for line in job.quote["lines"])
    assert f"Reserved {price} credits" in text and f"Charged {price} credits" in text
    assert (
        f"PiAPI reported 0.35 USD = {price - 5} credits, 5 less than the quote; "
        f"you were charged the quote ({price} credits)."
    ) in text
    assert "Ready" in text


def test_it_says_the_studio_absorbs_a_provider_cost_above_the_quote(owner_client, owner):
    job = submit_paid(owner)
    claimed(job).succeed("worker-a", provider_cost={"amount": "0.50", "unit": "USD", "studio_credits": 50, "raw": {}})
    text = _text(owner_client.get(f"/credits/jobs/{job.public_id}/"))
    assert f"50 credits, {50 - PAID_5S_CREDITS} more than the quote; you were charged the quote" in text


def test_it_shows_the_ledger_lines_of_a_deleted_job(owner_client, owner):
    job = _failed_job(owner)
    Job.objects.filter(pk=job.pk).delete()

    response = owner_client.get(f"/credits/jobs/{job.public_id}/")

    assert response.status_code == 200
    text = _text(response)
    assert "This job was deleted" in text and "Recipe" not in text
    assert f"Reserved {PAID_5S_CREDITS} credits" in text and f"Refunded {PAID_5S_CREDITS} credits" in text
    statement = _text(owner_client.get("/credits/"))
    assert f"Reserved for job {job.public_id.hex[:8]} (deleted)" in statement


def test_it_answers_404_for_a_job_id_nobody_has(owner_client):
    assert owner_client.get(f"/credits/jobs/{uuid.uuid4()}/").status_code == 404
