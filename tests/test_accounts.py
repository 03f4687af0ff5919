import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _first_admin_link() -> str:
    out = StringIO()
    call_command("ensure_first_admin", base_url="http://testserver", stdout=out)
    match = re.search(r"http://testserver(/accounts/signin/link/[^/\s]+/)", out.getvalue())
    assert match, out.getvalue()
    return match.group(1)


def test_it_creates_the_first_admin_without_a_password_and_prints_a_link(client):
    path = _first_admin_link()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not admin.has_usable_password()

    response = client.get(path)
    assert response.status_code == 200  # a GET (a chat app's link preview) does not use the link up
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"

    response = client.post(
        "/accounts/password/",
        {"new_password1": "violet-kestrel-4417", "new_password2": "violet-kestrel-4417"},
        follow=True,
    )
    assert "Password saved." in response.content.decode()
    admin.refresh_from_db()
    assert admin.check_password("violet-kestrel-4417")


def test_it_refuses_a_link_twice(client):
    path = _first_admin_link()
    client.post(path)
    client.logout()
    response = client.post(path, follow=True)
    assert "expired or was already used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_prints_no_link_once_an_admin_has_a_password():
    get_user_model().objects.create_superuser("root", password="violet-kestrel-4417")
    out = StringIO()
    call_command("ensure_first_admin", stdout=out)
    assert "signin/link" not in out.getvalue()
    assert get_user_model().objects.count() == 1


def test_it_prints_a_link_for_a_named_user_only_if_they_exist(owner):
    out = StringIO()
    call_command("signin_link", "olivia", stdout=out)
    assert "/accounts/signin/link/" in out.getvalue()
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("signin_link", "nobody")


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/signin/")


def test_it_signs_in_with_a_password(client, owner):
    response = client.post("/accounts/signin/", {"username": "olivia", "password": "a-long-test-password-1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_it_asks_for_the_old_password_before_setting_a_new_one(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/", {"new_password1": "violet-kestrel-4417", "new_password2": "violet-kestrel-4417"}
    )
    assert "old password" in response.content.decode().lower()
    owner.refresh_from_db()
    assert owner.check_password("a-long-test-password-1")


def test_it_grants_the_first_admin_welcome_credits_once(settings):
    from seedance_studio.credits.models import LedgerEntry

    settings.STUDIO_FIRST_ADMIN_CREDITS = 1000
    out = StringIO()
    call_command("ensure_first_admin", stdout=out)
    call_command("ensure_first_admin", stdout=StringIO())  # `make run` again: the admin exists, no second grant
    admin = get_user_model().objects.get(username="admin")
    [entry] = LedgerEntry.objects.filter(user=admin)
    assert (entry.kind, entry.amount, entry.reason) == ("grant", 1000, "Welcome credits for the first admin")
    assert admin.credit_account.available == 1000
    assert "Created the first admin account 'admin' with 1000 credits." in out.getvalue()


def test_it_grants_the_first_admin_nothing_when_the_setting_is_0(settings):
    from seedance_studio.credits.models import LedgerEntry

    settings.STUDIO_FIRST_ADMIN_CREDITS = 0
    call_command("ensure_first_admin", stdout=StringIO())
    assert get_user_model().objects.filter(username="admin").exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("value", ["-1", "many"])
def test_it_refuses_to_start_with_a_bad_first_admin_credits_setting(value):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "STUDIO_FIRST_ADMIN_CREDITS": value, "DJANGO_SECRET_KEY": "x" * 40}
    started = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0 and "ImproperlyConfigured: STUDIO_FIRST_ADMIN_CREDITS=" in started.stderr
