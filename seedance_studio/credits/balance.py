"""The signed-in creative's balance, loaded with the user in the query Django makes anyway, so showing it in
the header and checking it on every keystroke of the live panel costs no query of its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist
from django.utils.functional import SimpleLazyObject


class UserWithBalanceBackend(ModelBackend):
    """Django's ModelBackend, fetching each request's user together with its credit account (one JOIN)."""

    def get_user(self, user_id):
        user = self.user_model_with_account().filter(pk=user_id).first()
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def user_model_with_account():
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.select_related("credit_account")


@dataclass(frozen=True)
class Balance:
    available: int
    held: int

    def shortfall(self, price: int) -> int:
        """How many credits are missing to pay `price` (0 when the balance covers it)."""
        return max(0, price - self.available)


def balance_of(user) -> Balance:
    """The user's balance; 0/0 for a creative no admin has granted anything yet (no account row)."""
    try:
        account = user.credit_account
    except (ObjectDoesNotExist, AttributeError):
        return Balance(0, 0)
    return Balance(account.available, account.held)


def fresh_balance_of(user) -> Balance:
    """The balance as the database has it now (after this request reserved or released credits)."""
    from seedance_studio.credits.models import CreditAccount

    row = CreditAccount.objects.filter(user_id=user.pk).values_list("available", "held").first()
    return Balance(*row) if row else Balance(0, 0)


def balance_context(request) -> dict:
    """Template context: `balance` for the header, read only by pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"balance": SimpleLazyObject(lambda: balance_of(user))}
