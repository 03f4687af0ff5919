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

    response = client.post("/accounts/password/", {"new_password1": "violet-kestrel-4417",
                                                    "new_password2": "violet-kestrel-4417"}, follow=True)
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
    response = client.post("/accounts/password/", {"new_password1": "violet-kestrel-4417",
                                                    "new_password2": "violet-kestrel-4417"})
    assert "old password" in response.content.decode().lower()
    owner.refresh_from_db()
    assert owner.check_password("a-long-test-password-1")
