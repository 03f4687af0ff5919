from django.contrib import admin, messages

from seedance_studio.sharing.models import ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """What is shared, for an admin who must stop a link (abuse, a creative's request); links are only made by
    their owner, and the salt and hash stay out of sight."""

    list_display = ["job", "show_prompt", "created_at", "expires_at", "revoked_at", "views"]
    list_filter = ["show_prompt"]
    fields = readonly_fields = ("job", "show_prompt", "created_at", "expires_at", "revoked_at", "views")
    list_select_related = ["job"]
    actions = ["stop_sharing"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Stop sharing the selected links", permissions=["delete"])
    def stop_sharing(self, request, queryset):
        stopped = sum(link.revoke() for link in queryset)
        self.message_user(request, f"Stopped {stopped} link{'s' if stopped != 1 else ''}.", messages.SUCCESS)
