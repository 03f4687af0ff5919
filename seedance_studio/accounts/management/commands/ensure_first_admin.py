from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from seedance_studio.accounts.models import SignInLink
from seedance_studio.credits import ledger

WELCOME_REASON = "Welcome credits for the first admin"


class Command(BaseCommand):
    help = (
        "Create the first admin account when there is none, and print a one-time sign-in link while no "
        "admin has a password yet. No default passwords, ever."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, username, base_url, **options):
        User = get_user_model()
        admins = User.objects.filter(is_superuser=True, is_active=True)
        if not admins.exists():
            # The grant comes with the account, once: a later run finds the admin and grants nothing.
            with transaction.atomic():
                admin = User(username=username, is_staff=True, is_superuser=True)
                admin.set_unusable_password()
                admin.save()
                welcome = settings.STUDIO_FIRST_ADMIN_CREDITS
                if welcome:
                    ledger.grant(admin, welcome, reason=WELCOME_REASON)
            self.stdout.write(
                f"Created the first admin account {username!r}" + (f" with {welcome} credits." if welcome else ".")
            )
        if any(admin.has_usable_password() for admin in admins):
            return
        oldest = admins.order_by("pk").first()
        assert oldest is not None  # there is one: found above, or just created
        token = SignInLink.objects.issue(oldest)
        link = base_url.rstrip("/") + reverse("sign_in_with_link", args=[token])
        self.stdout.write(
            self.style.SUCCESS(f"\n  Sign in as {oldest.username} (one-time link, valid 24 hours):\n  {link}\n")
        )
