from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from seedance_studio.accounts.models import SignInLink


class Command(BaseCommand):
    help = "Print a one-time sign-in link (valid 24 hours) for an existing user."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, username, base_url, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}. Create one in the admin first.")
        token = SignInLink.objects.issue(user)
        self.stdout.write(base_url.rstrip("/") + reverse("sign_in_with_link", args=[token]))
