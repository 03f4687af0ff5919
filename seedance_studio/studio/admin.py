from django.contrib import admin, messages
from django.utils import timezone

from seedance_studio.studio.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["public_id", "owner", "provider", "status", "phase", "price_credits", "status_note", "created_at",
                    "finished_at"]
    # "Confirming with the provider" is the admin's to-do list: creates that went unanswered, and jobs that
    # outlived the follow cap.
    list_filter = ["status", "phase", "provider", "moderation"]
    search_fields = ["public_id", "provider_task_id", "owner__username", "composition__prompt"]

    def get_readonly_fields(self, request, obj=None):
        fields = [field.name for field in Job._meta.fields]
        if obj is not None and obj.phase == Job.Phase.RECONCILE and not obj.provider_task_id and obj.is_in_flight:
            # The one repair an admin can make: name the task the provider's dashboard shows for this job.
            fields.remove("provider_task_id")
        return fields

    def save_model(self, request, obj, form, change):
        if "provider_task_id" in form.changed_data and obj.provider_task_id:
            updated = Job.objects.filter(pk=obj.pk, provider_task_id="").update(
                provider_task_id=obj.provider_task_id.strip(), phase=Job.Phase.FOLLOW, run_after=timezone.now(),
                status_note="An admin attached the provider's task; the studio is following it now.",
                updated_at=timezone.now())
            if updated:
                messages.success(request, "Task attached: the worker follows it from now on.")
            return
        super().save_model(request, obj, form, change)
