"""`manage.py credits`: grant, deduct, balance and audit from a shell, with clear errors and exit codes."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from seedance_studio.credits.models import CreditAccount, LedgerEntry
from tests.conftest import OWNER_CREDITS, ROOT, worker_environment
from tests.credits import paid_job

pytestmark = pytest.mark.django_db


def _credits(*args) -> str:
    out = StringIO()
    call_command("credits", *args, stdout=out)
    return out.getvalue()


def _break_a_balance(user) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE credits_creditaccount SET held = held + 3 WHERE user_id = %s", [user.pk])


def test_it_grants_and_prints_the_new_balance(owner):
    assert _credits("grant", "olivia", "250", "--reason", "Festival budget") == (
        f"Granted 250 credits to olivia: {OWNER_CREDITS + 250} available, 0 held.\n"
    )
    entry = LedgerEntry.objects.get(reason="Festival budget")
    assert (entry.kind, entry.amount, entry.admin) == ("grant", 250, None)


def test_it_deducts_and_refuses_to_go_below_zero(owner):
    assert _credits("deduct", "olivia", "400", "--reason", "Refunded by card") == (
        f"Deducted 400 credits from olivia: {OWNER_CREDITS - 400} available, 0 held.\n"
    )
    with pytest.raises(CommandError, match=f"olivia has {OWNER_CREDITS - 400} credits available, so 99999 cannot"):
        _credits("deduct", "olivia", "99999", "--reason", "Too much")
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 1


def test_it_prints_the_balance(owner):
    paid_job(owner, credits=120)
    assert _credits("balance", "olivia") == f"olivia: {OWNER_CREDITS - 120} available, 120 held.\n"


def test_it_prints_a_zero_balance_for_a_creative_never_granted_anything(outsider):
    assert _credits("balance", "oscar") == "oscar: 0 available, 0 held.\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (("grant", "nobody", "10", "--reason", "x"), "No user named 'nobody'"),
        (("balance", "Olivia"), "No user named 'Olivia'"),
        (("grant", "olivia", "ten", "--reason", "x"), "AMOUNT must be a whole number of credits greater than 0"),
        (("grant", "olivia", "0", "--reason", "x"), "AMOUNT must be a whole number of credits greater than 0"),
        (("deduct", "olivia", "-3", "--reason", "x"), "AMOUNT must be a whole number of credits greater than 0"),
        (("grant", "olivia", "2.5", "--reason", "x"), "AMOUNT must be a whole number of credits greater than 0"),
        (("grant", "olivia", "10"), "Give a --reason"),
        (("deduct", "olivia", "10", "--reason", "  "), "Give a --reason"),
    ],
)
def test_it_refuses_bad_arguments_and_writes_nothing(owner, args, message):
    entries = LedgerEntry.objects.count()
    with pytest.raises(CommandError, match=message):
        _credits(*args)
    assert LedgerEntry.objects.count() == entries


def test_the_audit_says_0_mismatches_when_the_books_agree(owner):
    paid_job(owner)
    assert _credits("audit") == "0 mismatches: every balance and every job agrees with the ledger.\n"


def test_the_audit_prints_each_mismatch_and_fails(owner):
    _break_a_balance(owner)
    out = StringIO()
    with pytest.raises(CommandError, match="1 mismatch ") as failed:
        call_command("credits", "audit", stdout=out)
    assert failed.value.returncode == 1
    assert out.getvalue() == (
        f"Balance of olivia: account says {OWNER_CREDITS} available, 3 held; the ledger sums "
        f"to {OWNER_CREDITS} available, 0 held.\n"
    )


@pytest.mark.django_db(transaction=True)
def test_the_audit_exits_0_or_1_from_a_shell(owner):
    def audit() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "credits", "audit"],
            cwd=ROOT,
            env=worker_environment(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    clean = audit()
    assert (clean.returncode, clean.stdout) == (
        0,
        "0 mismatches: every balance and every job agrees with the ledger.\n",
    )
    _break_a_balance(owner)
    broken = audit()
    assert broken.returncode == 1 and "Balance of olivia" in broken.stdout and "1 mismatch" in broken.stderr
    assert CreditAccount.objects.get(user=owner).held == 3  # the audit only reads
