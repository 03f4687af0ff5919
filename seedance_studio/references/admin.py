from django.contrib import admin

from seedance_studio.references.models import Reference


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "owner", "width", "height", "duration", "size_bytes", "created_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "owner__username"]
    readonly_fields = [field.name for field in Reference._meta.fields]
