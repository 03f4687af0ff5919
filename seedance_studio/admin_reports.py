"""Read-only report pages in Django's default admin site (reconciliation, spend, providers).

Each app lists its reports (`Report`) and calls `install(admin.site, reports)` from its admin module. A report
gets a URL under /admin/<app_label>/<route> behind `admin_view` (staff only; everyone else is sent to the admin
sign-in), a row in its app's section of the admin index and sidebar, and a 403 for staff without the report's
permission. A second install of the same reports (a reloaded module) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse


@dataclass(frozen=True)
class Report:
    app_label: str
    name: str  # the URL name, reversed as "admin:<name>"
    route: str  # under /admin/<app_label>/
    label: str
    view: Callable  # view(request, site)
    permission: str  # e.g. "credits.view_ledgerentry"

    def allows(self, user) -> bool:
        return user.is_active and user.is_staff and user.has_perm(self.permission)


def context(site, request, report_permission: str, title: str, app_label: str, **values) -> dict:
    """The admin's own context for a report page; PermissionDenied without the report's permission."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm(report_permission)):
        raise PermissionDenied
    app_name = apps.get_app_config(app_label).verbose_name
    return {**site.each_context(request), "title": title, "app_label": app_label, "app_name": app_name, **values}


def install(site, reports: Sequence[Report]) -> None:
    installed = site.__dict__.setdefault("installed_reports", set())
    reports = [report for report in reports if report.name not in installed]
    if not reports:
        return
    installed.update(report.name for report in reports)
    site_urls, site_app_list = site.get_urls, site.get_app_list

    def get_urls():
        return [
            path(f"{r.app_label}/{r.route}", site.admin_view(r.view), {"site": site}, name=r.name) for r in reports
        ] + site_urls()

    def get_app_list(request, app_label=None):
        apps = site_app_list(request, app_label)
        for app in apps:
            app["models"] += [
                {
                    "name": r.label,
                    "object_name": r.name,
                    "admin_url": reverse(f"admin:{r.name}"),
                    "add_url": None,
                    "view_only": True,
                    "perms": {"view": True},
                }
                for r in reports
                if r.app_label == app["app_label"] and r.allows(request.user)
            ]
        return apps

    site.get_urls, site.get_app_list = get_urls, get_app_list
