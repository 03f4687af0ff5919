"""The auth backend loads each request's user with its credit account in one query, from SQL compiled once."""

import pytest
from django.core.exceptions import ObjectDoesNotExist

from seedance_studio.credits.balance import UserWithBalanceBackend, balance_of
from seedance_studio.credits.models import CreditAccount

pytestmark = pytest.mark.django_db


def test_it_loads_the_user_and_balance_in_one_query(owner, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = UserWithBalanceBackend().get_user(str(owner.pk))
        balance = balance_of(user)

    assert user == owner and user.username == owner.username and user.password == owner.password
    expected = CreditAccount.objects.get(user=owner)
    assert (balance.available, balance.held) == (expected.available, expected.held)


def test_a_user_without_an_account_has_a_zero_balance_without_another_query(owner, django_assert_num_queries):
    CreditAccount.objects.filter(user=owner).delete()

    with django_assert_num_queries(1):
        user = UserWithBalanceBackend().get_user(owner.pk)
        with pytest.raises(ObjectDoesNotExist):
            user.credit_account  # noqa: B018 - the access is the test
        assert (balance_of(user).available, balance_of(user).held) == (0, 0)


@pytest.mark.parametrize("user_id", ["not-a-number", "999999"])
def test_an_unknown_or_malformed_user_id_is_nobody(user_id):
    assert UserWithBalanceBackend().get_user(user_id) is None


def test_an_inactive_user_is_nobody(owner):
    owner.is_active = False
    owner.save()
    assert UserWithBalanceBackend().get_user(owner.pk) is None


def test_a_signed_in_page_still_knows_who_it_is(owner_client, owner):
    page = owner_client.get("/credits/").content.decode()
    assert owner.username in page
