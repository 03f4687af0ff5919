"""The signed-in creative's balance, loaded with the user in the query Django makes anyway, so showing it in
the header and checking it on every keystroke of the live panel costs no query of its own."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.functional import SimpleLazyObject


class UserWithBalanceBackend(ModelBackend):
    """Django's ModelBackend, fetching each request's user together with its credit account (one JOIN).

    This runs on every signed-in request, the live check's keystrokes included, and compiling the ORM query was
    most of its cost: the SQL is compiled once per database (by the ORM, from the models, so it follows them)
    and the user and account are built from its row exactly as select_related would build them."""

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model
        from django.db import connections, router

        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        alias = router.db_for_read(user_model)
        sql, params, user_fields, account_fields = _user_with_account_sql(alias, connections[alias].vendor)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [pk if param == _ANY_USER else param for param in params])
            row = cursor.fetchone()
        if row is None:
            return None
        user = user_model.from_db(alias, user_fields, row[: len(user_fields)])
        account_row = row[len(user_fields) :]
        account = None
        if account_row[0] is not None:  # the LEFT JOIN found an account
            from seedance_studio.credits.models import CreditAccount

            account = CreditAccount.from_db(alias, account_fields, account_row)
        # What select_related leaves: user.credit_account is this account, or raises DoesNotExist without a query.
        user._state.fields_cache["credit_account"] = account
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def user_model_with_account():
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.select_related("credit_account")


_ANY_USER = -271828  # stands in for the user id when the SQL is compiled; replaced by the real one when run


@functools.cache
def _user_with_account_sql(alias: str, vendor: str) -> tuple[str, tuple, list[str], list[str]]:
    """(sql, params, user field names, account field names) of "the user with this id and its account", the
    columns in that order. Keyed on the database's vendor too, whose quoting the SQL carries."""
    from django.contrib.auth import get_user_model

    from seedance_studio.credits.models import CreditAccount

    user_fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    account_fields = [field.attname for field in CreditAccount._meta.concrete_fields]
    query = (
        get_user_model()
        ._default_manager.db_manager(alias)
        .filter(pk=_ANY_USER)
        .values_list(*user_fields, *(f"credit_account__{name}" for name in account_fields))
    )
    sql, params = query.query.get_compiler(alias).as_sql()
    return sql, tuple(params), user_fields, account_fields


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
