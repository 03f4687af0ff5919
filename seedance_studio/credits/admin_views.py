"""The two credit reports in the admin: reconciliation (is every credit accounted for?) and spend (where did
it go?). Thin views: the figures come from `credits.audit` and `credits.spend`.

The studio runs Django's default admin site, so `install()` adds the reports to it: two URLs under
/admin/credits/ (behind `admin_view`: staff only, everyone else is sent to the admin sign-in) and two rows in
the Credits section of the admin index and sidebar. Reading them also takes the permission to view the ledger:
staff who may not see the books do not see these either (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse

from seedance_studio.credits import audit
from seedance_studio.credits import spend as spending
from seedance_studio.studio.models import Job

PERMISSION = "credits.view_ledgerentry"


def can_read_reports(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PERMISSION)


def _context(site, request, title: str, **values) -> dict:
    if not can_read_reports(request.user):
        raise PermissionDenied
    return {**site.each_context(request), "title": title, "app_label": "credits", **values}


def _with_actions(jobs: list[Job]) -> list[dict]:
    """Each waiting job with what an admin can do to it (the links of its row)."""
    return [{"job": job, "attach": job.can_be_given_a_task_by_admin, "close": job.can_be_closed_by_admin,
             "resume": job.status == Job.Status.SET_ASIDE} for job in jobs]


def reconciliation(request, site):
    books = audit.job_books()
    findings = dict(balances=audit.balance_mismatches(), chain=books.chain, jobs=books.jobs)
    waiting = audit.waiting_jobs()
    context = _context(site, request, "Reconciliation", **findings, waiting=waiting,
                       overdue=_with_actions(waiting.overdue), set_aside=_with_actions(waiting.set_aside),
                       costs=audit.cost_comparison(), provider_balances=audit.provider_balances(),
                       mismatch_count=sum(len(found) for found in findings.values()))
    return TemplateResponse(request, "admin/credits/reconciliation.html", context)


def spend(request, site):
    figures = spending.spend()
    context = _context(site, request, f"Spend, last {spending.DAYS} days", spend=figures, chart=figures.chart(),
                       top=figures.top_spenders())
    return TemplateResponse(request, "admin/credits/spend.html", context)


REPORTS = (("credits_reconciliation", "reconciliation/", "Reconciliation", reconciliation),
           ("credits_spend", "spend/", "Spend", spend))


def install(site) -> None:
    """Add the reports to `site` (see the module docstring). Called from credits/admin.py; a second call (a
    reloaded module) changes nothing."""
    if getattr(site, "credit_reports_installed", False):
        return
    site.credit_reports_installed = True  # type: ignore[attr-defined]
    site_urls, site_app_list = site.get_urls, site.get_app_list

    def get_urls():
        reports = [path(f"credits/{route}", site.admin_view(view), {"site": site}, name=name)
                   for name, route, _, view in REPORTS]
        return reports + site_urls()

    def get_app_list(request, app_label=None):
        apps = site_app_list(request, app_label)
        if can_read_reports(request.user):
            for app in apps:
                if app["app_label"] == "credits":
                    app["models"] += [{"name": label, "object_name": name, "admin_url": reverse(f"admin:{name}"),
                                       "add_url": None, "view_only": True, "perms": {"view": True}}
                                      for name, _, label, _ in REPORTS]
        return apps

    site.get_urls, site.get_app_list = get_urls, get_app_list  # type: ignore[method-assign]
