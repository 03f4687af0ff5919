"""The "reconcile" phase meant two things; it is split in two (seedance_studio.worker.remote has the table):
a job with no task id was waiting for the provider to name it (now "confirm"), one with a task id had been
followed past PROVIDER_FOLLOW_HOURS (now "overdue"). Set-aside jobs move too: an admin's "Resume" takes a
job back to the step it stopped at."""

from django.db import migrations, models


def split_reconcile(apps, schema_editor):
    Job = apps.get_model("studio", "Job")
    reconcile = Job.objects.filter(phase="reconcile")
    reconcile.exclude(provider_task_id="").update(phase="overdue")
    reconcile.filter(provider_task_id="").update(phase="confirm")


def join_reconcile(apps, schema_editor):
    Job = apps.get_model("studio", "Job")
    Job.objects.filter(phase__in=["confirm", "overdue"]).update(phase="reconcile")


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0004_compositionreference_frame"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="phase",
            field=models.CharField(
                choices=[
                    ("submit", "Sending to the provider"),
                    ("confirm", "Confirming with the provider"),
                    ("follow", "Following the provider's task"),
                    ("overdue", "Overdue at the provider"),
                    ("download", "Keeping the result"),
                    ("done", "Done"),
                ],
                default="submit",
                max_length=10,
            ),
        ),
        migrations.RunPython(split_reconcile, join_reconcile),
    ]
