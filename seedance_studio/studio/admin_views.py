"""The providers page in the admin: which providers are configured, where they point, and how they have done
over the last day (figures from `studio.provider_health`). Staff with the permission to view jobs."""

from __future__ import annotations

from django.conf import settings
from django.template.response import TemplateResponse

from seedance_studio import admin_reports
from seedance_studio.admin_reports import Report
from seedance_studio.studio import provider_health

PERMISSION = "studio.view_job"


def providers(request, site):
    context = admin_reports.context(
        site,
        request,
        PERMISSION,
        "Providers",
        "studio",
        providers=provider_health.provider_health(),
        window_hours=int(provider_health.WINDOW.total_seconds() // 3600),
        emulated=any(config.emulated for config in settings.PROVIDERS.values()),
    )
    return TemplateResponse(request, "admin/studio/providers.html", context)


REPORTS = (Report("studio", "studio_providers", "providers/", "Providers", providers, PERMISSION),)
