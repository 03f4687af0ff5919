from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from seedance_studio.references.models import Reference, StorageQuota
from seedance_studio.references.quota import bytes_used


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "owner", "width", "height", "duration", "size_bytes", "created_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "owner__username"]
    readonly_fields = [field.name for field in Reference._meta.fields]


@admin.register(StorageQuota)
class StorageQuotaAdmin(admin.ModelAdmin):
    """Per-creative library quotas: a creative without one has no limit. Lowering a quota below what is used
    keeps every file; it only refuses new ones until the creative has freed space."""

    list_display = ["user", "megabytes", "used", "updated_at"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["used", "updated_at"]

    @admin.display(description="used now")
    def used(self, quota: StorageQuota) -> str:
        if quota.user_id is None:
            return "-"
        return filesizeformat(bytes_used(quota.user_id))
