"""Takes (several jobs of one composition at once, all or nothing), the compare view, the A/B page and the
favourite."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.provider_api import make_config
from seedance_studio.seedance.specs import PROVIDERS
from seedance_studio.studio import waits
from seedance_studio.studio.models import Composition, Job, StudioSettings
from tests.jobs import submitted, succeeded

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {
    "prompt": "A lighthouse at dawn",
    "model": "piapi/seedance-2-fast",
    "mode": "auto",
    "duration": "4",
    "aspect_ratio": "16:9",
    "resolution": "480p",
    "generate_audio": "on",
}
PRICE = 32  # 4 s x $0.08 (000:286)


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.PROVIDERS = {
        "piapi": make_config("piapi", "test-key-piapi"),
        "hiapi": make_config("hiapi", "test-key-hiapi"),
    }
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


def _balance_of(user, credits: int) -> None:
    account = CreditAccount.objects.get(user=user)
    ledger.deduct(user, account.available - credits, reason="Test: leave exactly this much.")


def _takes(client, **extra):
    return client.post("/compose/takes/", {**FORM, "take_vary": "seed", "take_count": "4", **extra}, **HTMX)


def test_it_submits_four_takes_as_four_jobs_with_four_reservations(owner_client, owner):
    response = _takes(owner_client)
    assert response.status_code == 200
    assert "4 takes submitted" in response.content.decode()
    jobs = list(Job.objects.filter(owner=owner).order_by("take_number"))
    assert len(jobs) == 4 and len({job.take_group for job in jobs}) == 1
    assert [job.take_number for job in jobs] == [1, 2, 3, 4]
    assert all(job.price_credits == PRICE and job.credits_status == "reserved" for job in jobs)
    reserves = LedgerEntry.objects.filter(user=owner, kind="reserve")
    assert sorted(entry.job_public_id for entry in reserves) == sorted(job.public_id for job in jobs)
    assert CreditAccount.objects.get(user=owner).held == 4 * PRICE


def test_it_submits_none_when_the_balance_covers_three_takes(owner_client, owner):
    _balance_of(owner, 3 * PRICE)
    response = _takes(owner_client)
    page = response.content.decode()
    assert response.status_code == 200
    assert "4 takes cost 128 credits in all (32, 32, 32, 32) and you have 96 available: 32 more needed" in page
    assert "None of the takes was submitted" in page
    assert not Job.objects.filter(owner=owner).exists()
    assert not LedgerEntry.objects.filter(user=owner, kind="reserve").exists()
    assert Composition.objects.filter(owner=owner, is_draft=False).count() == 0  # no frozen copy left behind


def test_a_resent_takes_form_makes_the_takes_once(owner_client, owner):
    key = str(uuid.uuid4())
    _takes(owner_client, submission_key=key)
    _takes(owner_client, submission_key=key)
    assert Job.objects.filter(owner=owner).count() == 4
    assert LedgerEntry.objects.filter(user=owner, kind="reserve").count() == 4


def test_seed_takes_on_hiapi_each_get_their_own_seed(owner_client, owner):
    _takes(owner_client, model="hiapi/seedance-2-0", resolution="720p", seed="100", take_count="3")
    jobs = Job.objects.filter(owner=owner).order_by("take_number").select_related("composition")
    assert [job.composition.seed for job in jobs] == [100, 101, 102]
    assert [job.request_body["input"]["seed"] for job in jobs] == [100, 101, 102]  # 003:124


def test_takes_on_several_providers_are_one_take_each(owner_client, owner):
    response = _takes(
        owner_client,
        take_vary="providers",
        take_models=["piapi/seedance-2-fast", "piapi/seedance-2", "local_preview/local"],
    )
    assert response.status_code == 200
    jobs = Job.objects.filter(owner=owner).order_by("take_number").select_related("composition")
    assert [(job.provider, job.composition.tier, job.price_credits) for job in jobs] == [
        ("piapi", "seedance-2-fast", PRICE),
        ("piapi", "seedance-2", 40),  # 4 s x $0.10 (000:283)
        ("local_preview", "local", 0),
    ]


def test_a_take_a_provider_refuses_refuses_them_all(owner_client, owner):
    response = _takes(owner_client, take_vary="providers", take_models=["piapi/seedance-2-fast", "goapi/seedance-2"])
    page = response.content.decode()
    assert "Take 2 (GoAPI · Seedance 2 (Pro))" in page and "not set up in this studio" in page
    assert not Job.objects.filter(owner=owner).exists()


def test_the_admins_limit_caps_the_takes(owner_client, owner):
    StudioSettings.objects.create(max_takes=3)
    response = _takes(owner_client)
    assert "Choose from 2 to 3 takes." in response.content.decode()
    assert not Job.objects.filter(owner=owner).exists()
    page = owner_client.get("/").content.decode()
    assert (
        '<select name="take_count"><option value="2">2</option><option value="3" selected>3</option></select>' in page
    )


def test_the_gallery_shows_takes_as_one_group(owner_client, owner):
    _takes(owner_client)
    jobs = list(Job.objects.filter(owner=owner).order_by("take_number"))
    page = owner_client.get("/gallery/").content.decode()
    assert page.count('class="take-group-head"') == 1
    assert "<strong>4 takes</strong>" in page
    assert f"/jobs/compare/?a={jobs[0].public_id}&amp;b={jobs[1].public_id}" in page
    assert page.count(f'data-take-group="{jobs[0].take_group}"') == 5  # the header and its four cards
    # Newest first, but a group reads from take 1 up.
    positions = [page.index(f'id="job-{job.public_id}"') for job in jobs]
    assert positions == sorted(positions) and page.index('class="take-group-head"') < positions[0]


def test_a_take_cards_refresh_does_not_look_up_its_group(owner_client, owner):
    """A card polls while its job runs; the group's header above it is the page's, so the refresh skips it."""
    _takes(owner_client, take_count="2")
    job = Job.objects.filter(owner=owner).order_by("take_number").first()
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(f"/jobs/{job.public_id}/card/", **HTMX)
    assert response.status_code == 200 and f'id="job-{job.public_id}"' in response.content.decode()
    assert [q["sql"] for q in queries if '"take_group" IN' in q["sql"]] == []


def test_the_compare_table_lists_every_tier_in_two_queries(owner_client, owner):
    waits.forget()
    owner_client.post("/compose/compare/table/", FORM, **HTMX)  # loads the wait history (once a minute)
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.post("/compose/compare/table/", FORM, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert len(queries) == 2, [q["sql"] for q in queries]  # the user with their balance, the draft's references
    for spec in PROVIDERS.values():
        for tier in spec.tiers:
            assert f'data-model="{spec.id}/{tier.id}"' in page
    assert "no history yet" in page and "Less-restriction" in page and "estimated" in page


def test_the_compare_table_says_how_long_similar_jobs_took_here(owner_client, owner, tmp_path):
    succeeded(owner, tmp_path, duration=4)
    waits.forget()
    page = owner_client.post("/compose/compare/table/", FORM, **HTMX).content.decode()
    assert "(from 1 similar job)" in page


def test_a_chain_export_is_not_a_wait_for_a_video_like_it(owner, tmp_path):
    """Joining shots says nothing of how long a render takes: the waits learn from renders only, as the gallery's
    run-time estimates do (Job.objects.recent_renders)."""
    render = succeeded(owner, tmp_path, duration=4)
    export = succeeded(owner, tmp_path, duration=5)
    Job.objects.filter(pk=export.pk).update(kind=Job.Kind.CHAIN_EXPORT)
    waits.forget()

    learned = waits.typical_waits()

    assert set(learned) == {(render.provider, render.composition.tier, 4)}
    assert learned[(render.provider, render.composition.tier, 4)].similar_jobs == 1


def test_use_switches_the_draft_without_javascript(owner_client, owner):
    response = owner_client.post("/compose/compare/use/", {"model": "hiapi/seedance-2-0"})
    assert response.status_code == 302
    draft = Composition.objects.draft_for(owner)
    assert (draft.provider, draft.tier) == ("hiapi", "seedance-2-0")
    page = owner_client.get("/compose/compare/").content.decode()
    assert "Compare every provider" in page and 'data-model="evolink/fast"' in page


def test_the_ab_page_shows_what_differs_and_only_to_the_owner(owner_client, outsider_client, owner):
    _takes(owner_client, model="hiapi/seedance-2-0", resolution="720p", seed="5", take_count="2")
    a, b = Job.objects.filter(owner=owner).order_by("take_number")
    url = f"/jobs/compare/?a={a.public_id}&b={b.public_id}"
    page = owner_client.get(url).content.decode()
    assert "What differs" in page
    assert '<th scope="row">Seed</th><td>5</td><td>6</td>' in page
    assert "Prompt</th>" not in page  # the same in both: not listed
    assert outsider_client.get(url).status_code == 404
    assert owner_client.get("/jobs/compare/?a=nope").status_code == 404


@pytest.mark.parametrize(("seed", "by_chance"), [(None, True), (5, False)])
def test_the_ab_page_says_when_the_same_recipe_differs_only_by_chance(owner_client, owner, seed, by_chance):
    """HiAPI takes a seed (003:122-124): two runs of one recipe with a seed are the same video; without, chance."""
    a, b = (submitted(owner, provider="hiapi", tier="seedance-2-0", resolution="720p", seed=seed) for _ in range(2))
    page = owner_client.get(f"/jobs/compare/?a={a.public_id}&b={b.public_id}").content.decode()
    assert "The two recipes are the same" in page
    assert ("differ only by the provider's own randomness" in page) is by_chance


def test_a_favourite_is_one_per_take_group(owner_client, outsider_client, owner):
    _takes(owner_client, take_count="2")
    a, b = Job.objects.filter(owner=owner).order_by("take_number")
    assert outsider_client.post(f"/jobs/{a.public_id}/favourite/", {"favourite": "on"}).status_code == 404
    response = owner_client.post(f"/jobs/{a.public_id}/favourite/", {"favourite": "on"}, **HTMX)
    assert "★ Favourite" in response.content.decode()
    response = owner_client.post(f"/jobs/{b.public_id}/favourite/", {"favourite": "on"}, **HTMX)
    page = response.content.decode()
    assert f'id="favourite-{a.public_id}"' in page and 'hx-swap-oob="true"' in page  # a's toggle, unmarked
    assert list(Job.objects.filter(owner=owner).order_by("take_number").values_list("favourite", flat=True)) == [
        False,
        True,
    ]
    back = owner_client.post(f"/jobs/{b.public_id}/favourite/", {"favourite": "off", "next": "https://evil.example/"})
    assert back.status_code == 302 and back["Location"] == f"/jobs/{b.public_id}/"
    assert not Job.objects.filter(owner=owner, favourite=True).exists()


def test_an_admin_sets_the_most_takes_in_the_admin(admin_client):
    response = admin_client.get("/admin/studio/studiosettings/")
    assert response.status_code == 302 and response["Location"].endswith("/admin/studio/studiosettings/1/change/")
    page = admin_client.get(response["Location"]).content.decode()
    assert "Most takes at once" in page
    response = admin_client.post(response["Location"], {"max_takes": "13"})
    assert "Ensure this value is less than or equal to 12." in response.content.decode()
    admin_client.post("/admin/studio/studiosettings/1/change/", {"max_takes": "6"})
    assert StudioSettings.current().max_takes == 6


def test_compare_and_takes_need_a_signed_in_creative(client):
    for method, url in (
        ("get", "/compose/compare/"),
        ("post", "/compose/compare/table/"),
        ("post", "/compose/compare/use/"),
        ("post", "/compose/takes/"),
        ("get", "/jobs/compare/"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/signin/" in response["Location"], url


def test_a_takes_page_links_to_its_siblings_side_by_side(owner_client, owner):
    _takes(owner_client, take_count="3")
    first, second, third = Job.objects.filter(owner=owner).order_by("take_number")
    page = owner_client.get(f"/jobs/{second.public_id}/").content.decode()
    assert "Take 2" in page
    assert f"/jobs/compare/?a={second.public_id}&amp;b={first.public_id}" in page
    assert f"/jobs/compare/?a={second.public_id}&amp;b={third.public_id}" in page


def test_takes_count_against_the_jobs_in_flight_limit_together(owner_client, owner):
    CreditAccount.objects.filter(user=owner).update(max_jobs_in_flight=3)
    page = _takes(owner_client).content.decode()
    assert "You already have 0 paid jobs in flight (with these 4 takes, 4)" in page
    assert not Job.objects.filter(owner=owner).exists()
    assert _takes(owner_client, take_count="3").status_code == 200
    assert Job.objects.filter(owner=owner).count() == 3
