"""The gallery: every past job reachable and findable from the URL, cards that stay live without waste."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seedance_studio.studio.job_views import PAGE_SIZE
from seedance_studio.studio.models import Composition, Job
from tests.compose_forms import HTMX
from tests.jobs import submitted

pytestmark = pytest.mark.django_db

# make_jobs' clock: each job a second after the previous one, in the order they are made, all in the past.
CLOCK = [timezone.now() - timedelta(days=1)]
CARD_ID = re.compile(r'<article class="job-card[^"]*" id="job-([0-9a-f-]{36})"')
OLDER = re.compile(r'<a class="show-older" href="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_run_time_estimates():
    """Each test learns estimates from its own history (they are cached for a few minutes)."""
    cache.clear()
    yield
    cache.clear()


def make_jobs(
    owner,
    count,
    *,
    prompt="shot {n}",
    provider="local_preview",
    tier="local",
    mode="auto",
    duration=5,
    resolution="720p",
    created=None,
    **fields,
) -> list[Job]:
    """`count` jobs in one go, newest last; `created`: their created_at (all the same instant), else each a second
    after the job made before it."""
    compositions = Composition.objects.bulk_create(
        Composition(
            owner=owner,
            provider=provider,
            tier=tier,
            mode=mode,
            prompt=prompt.format(n=n),
            duration=duration,
            resolution=resolution,
        )
        for n in range(count)
    )
    fields.setdefault("status", "succeeded")
    fields.setdefault("phase", "done")
    jobs = Job.objects.bulk_create(
        Job(owner=owner, composition=composition, submission_key=uuid.uuid4(), provider=provider, **fields)
        for composition in compositions
    )
    for job in jobs:
        CLOCK[0] += timedelta(seconds=1)
        job.created_at = created or CLOCK[0]
    Job.objects.bulk_update(jobs, ["created_at"])
    return jobs


def card_ids(html: str) -> list[str]:
    return CARD_ID.findall(html)


def walk(client, url="/gallery/") -> list[list[str]]:
    """Follow "Show older" the way htmx does (the fragment), page by page; the ids on each page."""
    pages = []
    while url:
        html = client.get(url, **HTMX).content.decode()
        pages.append(card_ids(html))
        older = OLDER.search(html)
        url = unescape(older.group(1)) if older else None
    return pages


# --- Paging -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count, sizes", [(75, [24, 24, 24, 3]), (72, [24, 24, 24]), (5, [5])])
def test_it_reaches_every_job_newest_first_a_page_at_a_time(owner_client, owner, count, sizes):
    assert PAGE_SIZE == 24
    jobs = make_jobs(owner, count)
    pages = walk(owner_client)
    assert [len(page) for page in pages] == sizes  # a last full page offers no empty one after it
    seen = [public_id for page in pages for public_id in page]
    assert seen == [str(job.public_id) for job in reversed(jobs)]  # newest first, no gap, no duplicate


def test_new_jobs_never_shift_the_pages_being_read(owner_client, owner):
    jobs = make_jobs(owner, 75)
    first = owner_client.get("/gallery/", **HTMX).content.decode()
    newer = make_jobs(owner, 7, prompt="made while scrolling {n}", created=timezone.now() + timedelta(hours=1))
    rest = walk(owner_client, unescape(OLDER.search(first).group(1)))
    seen = card_ids(first) + [public_id for page in rest for public_id in page]
    assert seen == [str(job.public_id) for job in reversed(jobs)]
    # A fresh look starts with them.
    assert card_ids(owner_client.get("/gallery/").content.decode())[:7] == [str(j.public_id) for j in reversed(newer)]


def test_jobs_made_in_the_same_instant_are_each_shown_once(owner_client, owner):
    jobs = make_jobs(owner, 65, created=timezone.now())
    seen = [public_id for page in walk(owner_client) for public_id in page]
    assert sorted(seen) == sorted(str(job.public_id) for job in jobs) and len(seen) == 65


def test_without_javascript_show_older_is_a_link_to_the_next_page(owner_client, owner):
    make_jobs(owner, PAGE_SIZE + 5)
    page = owner_client.get("/gallery/").content.decode()
    href = unescape(OLDER.search(page).group(1))
    assert 'hx-trigger="revealed"' in page
    older = owner_client.get(href).content.decode()
    assert "<html" in older and len(card_ids(older)) == 5 and "Back to the newest" in older


def test_the_compose_page_shows_the_newest_page_and_links_to_the_gallery(owner_client, owner):
    jobs = make_jobs(owner, PAGE_SIZE + 5)
    page = owner_client.get("/").content.decode()
    assert card_ids(page) == [str(job.public_id) for job in reversed(jobs)][:PAGE_SIZE]
    assert 'href="/gallery/">All jobs, with search and filters' in page
    assert "show-older" not in page


# --- Filters and search --------------------------------------------------------------------------------------------


@pytest.fixture
def assorted(owner):
    """A creative's varied history: what each filter should find."""
    return {
        "cat": make_jobs(owner, 2, prompt="A cat walks in the garden {n}")[0],
        "failed": make_jobs(owner, 1, prompt="A storm over the sea", status="failed", error_message="No.")[0],
        "piapi": make_jobs(owner, 1, prompt="A CAT on a roof", provider="piapi", tier="seedance-2-fast")[0],
        "frames": make_jobs(owner, 1, prompt="From dawn to dusk", mode="first_last_frames")[0],
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "cat"}, 3),  # case-insensitive, over prompts
        ({"status": "failed"}, 1),
        ({"provider": "piapi"}, 1),
        ({"mode": "first_last_frames"}, 1),
        ({"q": "cat", "provider": "piapi"}, 1),
        ({"q": "garden", "status": "failed"}, 0),
    ],
)
def test_filters_and_search_narrow_the_gallery(owner_client, assorted, query, expected):
    page = owner_client.get("/gallery/", query, **HTMX).content.decode()
    assert len(card_ids(page)) == expected


def test_filters_live_in_the_url_and_the_form_keeps_them(owner_client, owner, assorted):
    make_jobs(owner, 40, prompt="another cat {n}")
    page = owner_client.get("/gallery/?q=cat&status=succeeded").content.decode()
    assert 'method="get" action="/gallery/"' in page and 'hx-push-url="true"' in page
    assert 'value="cat"' in page and '<option value="succeeded" selected>' in page
    older = unescape(OLDER.search(page).group(1))
    assert "q=cat" in older and "status=succeeded" in older and "before=" in older
    everything = [i for p in walk(owner_client, "/gallery/?q=cat&status=succeeded") for i in p]
    assert len(everything) == 43


def test_it_tells_no_match_from_no_jobs_yet(owner_client, owner):
    assert "No jobs yet." in owner_client.get("/gallery/").content.decode()
    assert "No jobs yet." in owner_client.get("/gallery/", {"q": "cat"}, **HTMX).content.decode()
    make_jobs(owner, 1, prompt="A dog")
    page = owner_client.get("/gallery/", {"q": "cat"}, **HTMX).content.decode()
    assert "No job matches these filters." in page and "No jobs yet." not in page


def test_a_filter_value_that_is_no_choice_is_ignored(owner_client, owner):
    make_jobs(owner, 2)
    for before in ("soon", "999999999999999999-1"):
        response = owner_client.get("/gallery/", {"status": "exploded", "provider": "<x>", "before": before})
        assert response.status_code == 200 and len(card_ids(response.content.decode())) == 2


def test_the_back_button_gets_the_whole_page_even_from_htmx(owner_client, owner):
    make_jobs(owner, 1)
    restore = owner_client.get(
        "/gallery/?status=succeeded", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()
    fragment = owner_client.get("/gallery/?status=succeeded", **HTMX)
    assert "<html" not in fragment.content.decode() and 'id="gallery-results"' in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


# --- Ownership ------------------------------------------------------------------------------------------------------


def test_another_creatives_jobs_never_appear(owner_client, outsider_client, owner, outsider):
    mine = make_jobs(owner, 3, prompt="mine {n}")
    make_jobs(outsider, 40, prompt="theirs {n}")
    seen = [i for page in walk(owner_client) for i in page]
    assert sorted(seen) == sorted(str(job.public_id) for job in mine)
    assert "No job matches" in owner_client.get("/gallery/", {"q": "theirs"}).content.decode()
    for path in (f"/jobs/{mine[0].public_id}/card/", f"/jobs/{mine[0].public_id}/"):
        assert outsider_client.get(path, **HTMX).status_code == 404, path
        assert outsider_client.get(path, {"v": mine[0].version}, **HTMX).status_code == 404, path


# --- Queries: a page costs the same with 10 jobs or 200 --------------------------------------------------------------


def _history(owner, count):
    """`count` jobs with everything a page can show: history to learn from, queued local previews, remote jobs in
    flight without progress, failures."""
    now = timezone.now()
    make_jobs(
        owner,
        count - 6,
        provider="piapi",
        tier="seedance-2-fast",
        credits_status="free",
        create_sent_at=now - timedelta(minutes=3),
        finished_at=now - timedelta(minutes=1),
    )
    make_jobs(owner, 2, status="failed", error_message="It broke.")
    make_jobs(owner, 2, status="queued", phase="submit")
    make_jobs(
        owner,
        2,
        status="running",
        phase="follow",
        provider="piapi",
        tier="seedance-2-fast",
        create_sent_at=now - timedelta(seconds=30),
    )


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_the_gallery_makes_as_many_queries_for_200_jobs_as_for_10(client, django_user_model, headers):
    counts = []
    for name, size in (("ten", 10), ("twohundred", 200)):
        creative = django_user_model.objects.create_user(name)
        _history(creative, size)
        client.force_login(creative)
        cache.clear()  # both learn their estimates (one query); a later page finds them cached
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/gallery/", **headers).content.decode()
        assert "estimate, from" in page and "in the queue" in page
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5, counts


def test_the_compose_pages_gallery_adds_no_query_per_card(client, django_user_model):
    counts = []
    for name, size in (("ten", 10), ("sixty", 60)):
        creative = django_user_model.objects.create_user(name)
        _history(creative, size)
        client.force_login(creative)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Live cards -----------------------------------------------------------------------------------------------------


@pytest.fixture
def rendered_templates():
    names = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_an_unchanged_card_answers_204_without_rendering_or_loading_more(
    owner_client, owner, rendered_templates, django_assert_num_queries
):
    job = submitted(owner)
    url = f"/jobs/{job.public_id}/card/"
    with django_assert_num_queries(2):  # the signed-in user, and the job's status, progress and updated_at
        response = owner_client.get(url, {"v": job.version}, **HTMX)
    assert response.status_code == 204 and response.content == b"" and rendered_templates == []


def test_a_card_that_changed_is_rendered_and_one_that_ended_stops_polling(owner_client, owner, rendered_templates):
    job = submitted(owner)
    url = f"/jobs/{job.public_id}/card/"
    stale = job.version
    held = Job.objects.claim_next("worker-a", lease_seconds=60)
    held.mark_running("worker-a")
    changed = owner_client.get(url, {"v": stale}, **HTMX)
    assert changed.status_code == 200 and "Rendering 0%" in changed.content.decode() and rendered_templates

    held.fail("worker-a", "The renderer ran out of disk space: free some and retry.")
    ended = owner_client.get(url, {"v": stale}, **HTMX).content.decode()
    assert "ran out of disk space" in ended and "hx-trigger" not in ended
    rendered_templates.clear()
    job.refresh_from_db()
    response = owner_client.get(url, {"v": job.version}, **HTMX)
    assert response.status_code == 286 and rendered_templates == []


def test_only_cards_in_flight_poll_and_they_slow_down_in_a_hidden_tab(owner_client, owner):
    make_jobs(owner, 1, status="succeeded")
    make_jobs(owner, 1, status="queued", phase="submit")
    make_jobs(owner, 1, status="running", phase="follow", provider="piapi", tier="seedance-2-fast")
    page = owner_client.get("/gallery/").content.decode()
    # card-polling.js sends "poll": every 1 s (a render) or 3 s (a provider job), every 30 s in a hidden tab.
    polling = re.findall(r'hx-trigger="poll" data-poll-seconds="(\d+)"', page)
    assert sorted(polling) == ["1", "3"]
    assert "document.hidden" not in page  # htmx would compile such a filter with new Function: not under the CSP


def test_queued_previews_show_their_place_in_the_queue(owner_client, owner, outsider):
    make_jobs(outsider, 2, status="queued", phase="submit")  # someone else's renders come first
    make_jobs(owner, 2, status="queued", phase="submit")
    make_jobs(owner, 1, status="queued", phase="submit", provider="piapi", tier="seedance-2-fast")  # not in it
    page = owner_client.get("/gallery/").content.decode()
    assert "Position 3 in the queue" in page and "Position 4 in the queue" in page
    assert page.count("in the queue") == 2


# --- What a card says ----------------------------------------------------------------------------------------------


def _finished(owner, run_times, **shape):
    now = timezone.now()
    for seconds in run_times:
        make_jobs(
            owner,
            1,
            provider="piapi",
            tier="seedance-2-fast",
            credits_status="free",
            create_sent_at=now - timedelta(seconds=seconds + 60),
            finished_at=now - timedelta(seconds=60),
            **shape,
        )


def test_a_job_without_progress_gets_an_estimate_learned_from_similar_jobs(owner_client, owner, outsider):
    _finished(outsider, [60, 90, 600, 120])  # the studio's history, anyone's: median 105 s
    _finished(owner, [5], resolution="480p")  # another shape: not similar
    make_jobs(
        owner,
        1,
        status="running",
        phase="follow",
        provider="piapi",
        tier="seedance-2-fast",
        create_sent_at=timezone.now() - timedelta(seconds=45),
    )
    page = owner_client.get("/gallery/", {"status": "running"}).content.decode()
    assert "(estimate, from 4 similar jobs)" in page
    assert re.search(r"About 1 min( \d+ s)? left", page)
    assert 'aria-label="Estimated progress"' in page


def test_estimates_are_learned_once_then_kept_a_few_minutes(owner_client, owner, django_assert_num_queries):
    _finished(owner, [60])
    make_jobs(
        owner,
        1,
        status="running",
        phase="follow",
        provider="piapi",
        tier="seedance-2-fast",
        create_sent_at=timezone.now(),
    )
    with django_assert_num_queries(3):  # user, page, and the estimates learned
        owner_client.get("/gallery/", {"status": "running"})
    with django_assert_num_queries(2):
        page = owner_client.get("/gallery/", {"status": "running"}).content.decode()
    assert "(estimate, from 1 similar job)" in page


def test_there_is_no_estimate_without_history(owner_client, owner):
    _finished(owner, [60], duration=10)  # another duration: not similar
    long_ago = timezone.now() - timedelta(days=45)  # the same shape, but too long ago to say much about today
    make_jobs(
        owner,
        1,
        provider="piapi",
        tier="seedance-2-fast",
        create_sent_at=long_ago - timedelta(minutes=1),
        finished_at=long_ago,
    )
    make_jobs(
        owner,
        1,
        status="running",
        phase="follow",
        provider="piapi",
        tier="seedance-2-fast",
        create_sent_at=timezone.now(),
    )
    page = owner_client.get("/gallery/", {"status": "running"}).content.decode()
    assert "Running at PiAPI" in page and "estimate" not in page


def test_a_provider_that_reports_progress_shows_its_own(owner_client, owner):
    _finished(owner, [60])
    make_jobs(
        owner,
        1,
        status="running",
        phase="follow",
        provider="piapi",
        tier="seedance-2-fast",
        has_progress=True,
        progress=0.4,
        create_sent_at=timezone.now(),
    )
    page = owner_client.get("/gallery/", {"status": "running"}).content.decode()
    assert "Running at PiAPI 40%" in page and 'aria-label="Progress at the provider"' in page
    assert "estimate" not in page


def test_a_failed_card_says_why_and_offers_fix_and_retry(owner_client, owner):
    job = make_jobs(owner, 1, status="failed", error_message="PiAPI refused it: the prompt names a real person.")[0]
    page = owner_client.get("/gallery/").content.decode()
    assert "PiAPI refused it: the prompt names a real person." in page
    assert re.search(
        rf'<form class="retry" method="post" action="/jobs/{job.public_id}/remix/">'
        r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>\s*'
        r'<button type="submit"[^>]*>Fix and retry',
        page,
    )
    response = owner_client.post(f"/jobs/{job.public_id}/remix/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_each_card_links_to_its_result_page_and_previews_its_video(owner_client, owner):
    job = make_jobs(owner, 1, poster="jobs/x/poster.jpg", video="jobs/x/video.mp4", finished_at=timezone.now())[0]
    page = owner_client.get("/gallery/").content.decode()
    assert f'<a class="frame" href="/jobs/{job.public_id}/"' in page
    assert f'poster="/jobs/{job.public_id}/poster.jpg"' in page and "muted" in page
    assert "js/card-preview.js" in page
    assert "took " in page and "Ready</span>" in page


def test_mentions_are_highlighted_and_html_in_prompts_is_escaped(owner_client, owner):
    make_jobs(owner, 1, prompt='@image1 meets 【@视频2】 <script>alert("x")</script> & me@image1.example')
    page = owner_client.get("/gallery/").content.decode()
    assert '<mark class="mention mention-image">@image1</mark> meets' in page
    assert '<mark class="mention mention-video">【@视频2】</mark>' in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; me@image1.example" in page
    assert page.count("<mark") == 2  # an e-mail address is no mention
