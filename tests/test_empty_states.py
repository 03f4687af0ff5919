"""A newcomer's compose page says what to do next: how to add references, and how to try a provider for free
(the local preview) or without a key (the emulators)."""

import pytest

from tests.jobs import submitted

pytestmark = pytest.mark.django_db


def test_a_newcomer_is_told_how_to_start_and_how_to_try_a_provider_without_a_key(owner_client):
    page = owner_client.get("/").content.decode()
    assert "No references yet." in page
    assert "Drop images, videos or audio anywhere on this page" in page
    assert "Nothing rendered yet." in page
    assert "<strong>Local preview</strong>" in page
    assert "<code>make emulator</code>" in page
    assert '<h1 class="visually-hidden">Compose a video</h1>' in page


def test_the_first_run_help_goes_once_there_is_a_job(owner_client, owner):
    submitted(owner, prompt="A lighthouse at night")
    page = owner_client.get("/").content.decode()
    assert "make emulator" not in page
    assert "A lighthouse at night" in page
