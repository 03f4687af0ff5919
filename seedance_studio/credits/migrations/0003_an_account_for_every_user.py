from django.conf import settings
from django.db import migrations


def open_missing_accounts(apps, schema_editor):
    """Users created before accounts were opened automatically get theirs (empty)."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    CreditAccount = apps.get_model("credits", "CreditAccount")
    CreditAccount.objects.bulk_create(
        CreditAccount(user_id=pk)
        for pk in User.objects.filter(credit_account__isnull=True).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [("credits", "0002_ledger_append_only"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [migrations.RunPython(open_missing_accounts, migrations.RunPython.noop)]
