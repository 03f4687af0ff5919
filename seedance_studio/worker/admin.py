from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html_join

from seedance_studio.studio.models import Job
from seedance_studio.worker.models import Worker


def _held_by(worker_name):
    return Job.objects.in_flight().filter(lease_owner=worker_name)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    """Which workers are alive and which jobs each one holds (leases it has not given back)."""

    list_display = ["name", "state", "hostname", "pid", "started_at", "last_seen_at", "jobs_held_count"]
    list_filter = ["hostname"]
    search_fields = ["name", "hostname"]
    readonly_fields = ("name", "state", "hostname", "pid", "started_at", "last_seen_at", "stopped_at", "jobs_held")
    fields = readonly_fields

    def get_queryset(self, request):
        held = (
            Job.objects.in_flight()
            .filter(lease_owner=OuterRef("name"))
            .order_by()
            .values("lease_owner")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(held=Coalesce(Subquery(held), 0))

    @admin.display(description="state")
    def state(self, worker):
        return worker.state

    @admin.display(description="jobs held", ordering="held")
    def jobs_held_count(self, worker):
        return worker.held

    @admin.display(description="jobs held")
    def jobs_held(self, worker):
        jobs = _held_by(worker.name).order_by("created_at")
        if not jobs:
            return "none"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({}, {})',
            (
                (reverse("admin:studio_job_change", args=[job.pk]), str(job.public_id)[:8], job.provider, job.status)
                for job in jobs
            ),
        )

    def has_add_permission(self, request):
        return False  # workers record themselves

    def has_change_permission(self, request, obj=None):
        return False
