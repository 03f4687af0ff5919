"""Sign-in throttling: failures for one account or from one address are slowed, then refused for a while, with
a message that says when to try again; password sign-in (studio and admin) and one-time links alike."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone

from seedance_studio.accounts import throttle
from seedance_studio.accounts.models import SignInLink, SignInThrottle

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"  # the owner persona's


def sign_in(client, username="olivia", password="wrong-password", path="/accounts/signin/"):
    response = client.post(path, {"username": username, "password": password})
    return response, " ".join(response.content.decode().split())


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def time_passes(scope=None):
    """The wait is over: every block (or one scope's) ends now, as it would once its time had passed."""
    rows = SignInThrottle.objects.all() if scope is None else SignInThrottle.objects.filter(scope=scope)
    rows.update(blocked_until=timezone.now() - timedelta(seconds=1))


def test_the_first_failures_cost_nothing_then_each_one_waits_longer(settings):
    settings.SIGNIN_ACCOUNT_FAILURES, settings.SIGNIN_LOCKOUT_MINUTES = 10, 15
    waits = [throttle.wait_after("account", n).total_seconds() for n in range(1, 11)]
    assert waits == [0, 0, 15, 30, 60, 120, 240, 480, 900, 900]
    assert throttle.wait_after("address", 9) == timedelta(0) and throttle.wait_after("address", 10).seconds == 15


def test_it_slows_an_account_after_three_failures_and_says_when_to_try_again(client, owner):
    for _ in range(2):
        _, page = sign_in(client)
        assert "Please enter a correct username and password" in page and "Try again" not in page
    _, page = sign_in(client)
    assert "Too many failed sign-ins for this account. Try again in 15 seconds." in page

    response, page = sign_in(client, password=PASSWORD)  # even the right password waits
    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed sign-ins for this account. Try again in 15 seconds." in page
    assert "Please enter a correct username" not in page  # the password was not checked
    assert SignInThrottle.objects.get(scope="account").failures == 3  # and a refusal is not a failure

    time_passes()
    response, _ = sign_in(client, password=PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert not SignInThrottle.objects.filter(scope="account").exists()  # success clears the account
    assert SignInThrottle.objects.get(scope="address").failures == 3  # but never the address


def test_it_refuses_an_account_for_the_lockout_once_the_limit_is_reached(client, owner, settings):
    settings.SIGNIN_ACCOUNT_FAILURES, settings.SIGNIN_LOCKOUT_MINUTES = 5, 20
    for _ in range(4):
        sign_in(client)
        time_passes()
    _, page = sign_in(client)
    assert "Too many failed sign-ins for this account. Try again in 20 minutes." in page
    _, page = sign_in(Client(REMOTE_ADDR="203.0.113.9"), password=PASSWORD)  # from anywhere
    assert "Try again in 20 minutes." in page


def test_a_long_quiet_starts_the_count_again(client, owner):
    for _ in range(3):
        sign_in(client)
    SignInThrottle.objects.update(last_failure_at=timezone.now() - timedelta(hours=2), blocked_until=None)
    _, page = sign_in(client)
    assert "Try again" not in page
    assert SignInThrottle.objects.get(scope="account").failures == 1


def test_it_slows_an_address_that_tries_many_accounts(settings, owner, outsider):
    settings.SIGNIN_ADDRESS_FAILURES = 12
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(10):
        _, page = sign_in(guesser, username=f"user{number}")
    assert "Too many failed sign-ins from your network address. Try again in 15 seconds." in page
    _, page = sign_in(guesser, username="oscar", password="a-long-test-password-2")
    assert "from your network address" in page and not signed_in(guesser)
    # someone else, elsewhere, is not held up
    response, _ = sign_in(Client(REMOTE_ADDR="198.51.100.8"), password=PASSWORD)
    assert response.status_code == 302


def test_the_admin_sign_in_page_is_throttled_too(client, admin_user):
    for _ in range(3):
        _, page = sign_in(client, username="admin", path="/admin/login/")
    assert "Too many failed sign-ins for this account. Try again in 15 seconds." in page
    response, _ = sign_in(client, username="admin", password="password", path="/admin/login/")
    assert response.status_code == 200 and not signed_in(client)


def test_bad_sign_in_links_are_slowed_then_refused_by_address(settings, owner):
    settings.SIGNIN_ADDRESS_FAILURES = 11
    guesser = Client(REMOTE_ADDR="192.0.2.44")
    for number in range(10):
        response = guesser.post(f"/accounts/signin/link/guess{number}/", follow=True)
    page = " ".join(response.content.decode().split())
    assert "Too many failed sign-ins from your network address. Try again in 15 seconds." not in page
    assert "expired or was already used" in page

    token = SignInLink.objects.issue(owner)
    response = guesser.post(f"/accounts/signin/link/{token}/", follow=True)  # refused before it is looked at
    assert "Too many failed sign-ins from your network address. Try again in 15 seconds." in response.content.decode()
    assert not signed_in(guesser) and SignInLink.objects.get().used_at is None

    time_passes()
    guesser.post("/accounts/signin/link/guess-again/")
    response = guesser.post(f"/accounts/signin/link/{token}/", follow=True)
    assert "Try again in 15 minutes." in response.content.decode()  # the limit: refused for the lockout

    other = Client(REMOTE_ADDR="192.0.2.45")
    assert other.post(f"/accounts/signin/link/{token}/").status_code == 302 and signed_in(other)


def test_it_keeps_no_username_or_address_in_the_clear(client):
    sign_in(client, username="my-password-typed-in-the-wrong-box")
    stored = " ".join(f"{row.key_hash} {row}" for row in SignInThrottle.objects.all())
    assert "my-password" not in stored and "127.0.0.1" not in stored


def test_behind_a_proxy_the_address_is_the_one_the_proxy_added(settings):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert throttle.client_address(request) == "10.0.0.2"  # not behind a proxy: the header is the client's word
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert throttle.client_address(request) == "203.0.113.5"
    ipv6 = RequestFactory().post("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert throttle.client_address(ipv6) == "2001:db8:1:2::/64"


def test_an_inactive_account_still_counts(client, owner):
    get_user_model().objects.filter(pk=owner.pk).update(is_active=False)
    for _ in range(3):
        _, page = sign_in(client, password=PASSWORD)
    assert "Try again in 15 seconds." in page
