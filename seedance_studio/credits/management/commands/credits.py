"""`manage.py credits`: the admin's credit actions from a shell, through the same ledger functions as the admin.

credits grant USER AMOUNT --reason TEXT     one grant entry; prints the new balance
credits deduct USER AMOUNT --reason TEXT    one adjustment entry; never below zero
credits balance USER                        available and held
credits audit                               each mismatch in the books; exit 1 if there is any
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from seedance_studio.credits import audit, ledger


def _amount(text: str) -> int:
    try:
        amount = int(text)
    except ValueError:
        amount = 0
    if amount <= 0:
        raise CommandError(f"AMOUNT must be a whole number of credits greater than 0, like 500 (not {text!r}).")
    return amount


class Command(BaseCommand):
    help = "Grant, deduct and read creatives' credits, and audit the ledger (exit 1 when anything is off)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{grant,deduct,balance,audit}")
        for name, words in (
            ("grant", "Give credits to a creative."),
            ("deduct", "Take available credits away from a creative (never below zero)."),
        ):
            move = actions.add_parser(name, help=words, description=words)
            move.add_argument("username")
            move.add_argument("amount", help="whole credits, greater than 0")
            # Not required=True: argparse's message would not say why a reason is needed.
            move.add_argument("--reason", default="", help="why (kept in the ledger with the entry)")
        actions.add_parser("balance", help="Show a creative's credits.").add_argument("username")
        actions.add_parser("audit", help="Check every balance and job against the ledger.")

    def handle(self, *args, action, **options):
        if action == "audit":
            return self.audit()
        user = self._user(options["username"])
        if action == "balance":
            account = ledger.account_for(user)
            self.stdout.write(f"{user}: {account.available} available, {account.held} held.")
            return
        amount, reason = _amount(options["amount"]), options["reason"].strip()
        if not reason:
            raise CommandError(
                'Give a --reason: it is kept in the ledger with the entry (e.g. --reason "Monthly budget").'
            )
        if action == "grant":
            entry = ledger.grant(user, amount, reason=reason)
        else:
            try:
                entry = ledger.deduct(user, amount, reason=reason)
            except ledger.InsufficientCredits as short:
                raise CommandError(
                    f"{user} has {short.available} credits available, so {amount} cannot be "
                    "deducted (credits held by jobs in flight cannot be deducted)."
                ) from None
        verb = "Granted" if action == "grant" else "Deducted"
        self.stdout.write(
            f"{verb} {amount} credits {'to' if action == 'grant' else 'from'} {user}: "
            f"{entry.available_after} available, {entry.held_after} held."
        )

    def audit(self):
        found = audit.mismatches()
        for mismatch in found:
            self.stdout.write(str(mismatch))
        if found:
            raise CommandError(
                f"{len(found)} mismatch{'es' if len(found) != 1 else ''} (listed above). The "
                "reconciliation page in the admin shows them with links."
            )
        self.stdout.write("0 mismatches: every balance and every job agrees with the ledger.")

    @staticmethod
    def _user(username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}. Usernames are case-sensitive.")
        return user
