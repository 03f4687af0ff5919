from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse

from seedance_studio.accounts.models import SignInLink


class Command(BaseCommand):
    help = ("Create the first admin account when there is none, and print a one-time sign-in link while no "
            "admin has a password yet. No default passwords, ever.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, username, base_url, **options):
        User = get_user_model()
        admins = User.objects.filter(is_superuser=True, is_active=True)
        if not admins.exists():
            admin = User(username=username, is_staff=True, is_superuser=True)
            admin.set_unusable_password()
            admin.save()
            self.stdout.write(f"Created the first admin account {username!r}.")
        if any(admin.has_usable_password() for admin in admins):
            return
        admin = admins.order_by("pk").first()
        token = SignInLink.objects.issue(admin)
        link = base_url.rstrip("/") + reverse("sign_in_with_link", args=[token])
        self.stdout.write(self.style.SUCCESS(f"\n  Sign in as {admin.username} (one-time link, valid 24 hours):\n  {link}\n"))
