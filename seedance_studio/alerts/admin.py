from django.contrib import admin

from seedance_studio.alerts.models import AdminAlert


@admin.register(AdminAlert)
class AdminAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cause", "provider", "job_link", "mailed_at", "mail_error"]
    list_filter = ["cause", "provider", "created_at"]
    search_fields = ["job_public_id", "message"]
    readonly_fields = [f.name for f in AdminAlert._meta.fields]

    @admin.display(description="job")
    def job_link(self, alert):
        return str(alert.job_public_id)[:8]

    def has_add_permission(self, request):
        return False  # alerts come from what happens to jobs

    def has_change_permission(self, request, obj=None):
        return False
