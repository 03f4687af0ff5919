from django.contrib import admin

from seedance_studio.studio.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["public_id", "owner", "provider", "status", "progress", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "provider"]
    search_fields = ["public_id", "owner__username", "composition__prompt"]
    readonly_fields = [field.name for field in Job._meta.fields]
