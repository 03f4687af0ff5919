"""The admin's providers page: configured providers, where they point (never the key), and their health from
the studio's own history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job
from seedance_studio.studio.provider_health import provider_health
from tests.credits.money import claimed, submit_paid

pytestmark = pytest.mark.django_db

KEY = "sk-piapi-do-not-show-0123456789"


@pytest.fixture(autouse=True)
def _piapi_configured(settings):
    settings.PROVIDERS = {"piapi": make_config("piapi", KEY, base_url="https://api.piapi.ai")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


def _ended(owner, how: str, *, cause=None, sent_after=30, took=90, hours_ago=1):
    job = claimed(submit_paid(owner))
    if how == "succeeded":
        job.succeed("worker-a", width=1280, height=720, duration=5.0)
    elif how == "failed":
        job.fail("worker-a", "no", cause=cause)
    else:
        job.set_aside("worker-a", "set aside")
    created = timezone.now() - timedelta(hours=hours_ago)
    Job.objects.filter(pk=job.pk).update(
        created_at=created,
        create_sent_at=created + timedelta(seconds=sent_after),
        finished_at=created + timedelta(seconds=sent_after + took),
    )
    return job


def test_it_counts_the_last_day_by_cause_with_medians(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ended(owner, "succeeded", sent_after=10, took=100)
        _ended(owner, "succeeded", sent_after=20, took=200)
        _ended(owner, "succeeded", sent_after=60, took=900)
        _ended(owner, "failed", cause=Job.Failure.MODERATION)
        _ended(owner, "failed", cause=Job.Failure.MODERATION)
        _ended(owner, "failed", cause=Job.Failure.REFUSED)
        _ended(owner, "set_aside")
        _ended(owner, "failed", cause=Job.Failure.PROVIDER, hours_ago=30)  # outside the window
        submit_paid(owner)  # in flight

    piapi = next(p for p in provider_health(with_balances=False) if p.provider == "piapi")

    assert piapi.configured and piapi.base_url == "https://api.piapi.ai"
    assert (piapi.succeeded, piapi.failed, piapi.set_aside, piapi.in_flight) == (3, 3, 1, 1)
    assert piapi.causes == [("Moderation", 2), ("Refused at submit", 1), ("Set aside for an admin", 1)]
    assert piapi.failure_percent == "57%"  # 4 of 7
    assert piapi.median_wait_seconds == 20 and piapi.median_run_seconds == 200
    assert piapi.last_success_at is not None and piapi.state == "trouble"
    goapi = next(p for p in provider_health(with_balances=False) if p.provider == "goapi")
    assert not goapi.configured and goapi.state == "idle" and goapi.failure_rate is None


def test_the_page_shows_each_provider_and_never_its_key(owner, admin_client, django_assert_max_num_queries):
    _ended(owner, "succeeded")
    _ended(owner, "failed", cause=Job.Failure.TIMED_OUT)

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:studio_providers"))

    page = response.content.decode()
    assert response.status_code == 200
    for name in ("PiAPI", "GoAPI", "Seedance2", "HiAPI", "EvoLink"):
        assert name in page
    assert "https://api.piapi.ai" in page and "Never finished: 1" in page and "50%" in page
    assert "no API key" in page
    assert KEY not in page
    assert "not reported" in page  # PiAPI's API has no balance endpoint


def test_the_page_is_listed_for_staff_who_may_view_jobs_only(client, django_user_model, admin_client):
    assert 'href="/admin/studio/providers/"' in admin_client.get(reverse("admin:index")).content.decode()
    staff = django_user_model.objects.create_user("sam", password="a-long-test-password-1", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:studio_providers")).status_code == 403
    assert 'href="/admin/studio/providers/"' not in client.get(reverse("admin:index")).content.decode()
    client.logout()
    assert client.get(reverse("admin:studio_providers")).status_code == 302  # to the admin sign-in
