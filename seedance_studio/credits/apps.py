from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class CreditsConfig(AppConfig):
    name = "seedance_studio.credits"
    verbose_name = "Credits"

    def ready(self):
        post_save.connect(open_account, sender=settings.AUTH_USER_MODEL, dispatch_uid="credits.open_account")


def open_account(sender, instance, created, raw=False, **kwargs):
    """Every user gets an (empty) account when created, so an admin finds every creative in the credits list and
    can grant to them at once."""
    if created and not raw:
        from seedance_studio.credits.ledger import account_for

        account_for(instance)
