from django.contrib import admin

from seedance_studio.studio.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["public_id", "owner", "provider", "status", "phase", "price_credits", "status_note", "created_at",
                    "finished_at"]
    # "Reconciling" is the admin's to-do list: jobs whose create went unanswered or that outlived the follow cap.
    list_filter = ["status", "phase", "provider", "moderation"]
    search_fields = ["public_id", "owner__username", "composition__prompt"]
    readonly_fields = [field.name for field in Job._meta.fields]
