"""The two credit reports in the admin: reconciliation (is every credit accounted for?) and spend (where did
it go?). Thin views: the figures come from `credits.audit` and `credits.spend`.

They are installed into Django's default admin site (seedance_studio.admin_reports): two URLs under
/admin/credits/ and two rows in the Credits section. Reading them also takes the permission to view the
ledger: staff who may not see the books do not see these either (403).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import timezone

from seedance_studio import admin_reports
from seedance_studio.admin_reports import Report
from seedance_studio.alerts.models import AdminAlert
from seedance_studio.credits import audit
from seedance_studio.credits import spend as spending
from seedance_studio.studio.models import Job

PERMISSION = "credits.view_ledgerentry"
ALERT_DAYS = 7


def recent_alerts() -> list[AdminAlert]:
    since = timezone.now() - timedelta(days=ALERT_DAYS)
    return list(AdminAlert.objects.filter(created_at__gte=since).select_related("job")[: audit.LISTED])


def _context(site, request, title: str, **values) -> dict:
    return admin_reports.context(site, request, PERMISSION, title, "credits", **values)


def _with_actions(jobs: list[Job]) -> list[dict]:
    """Each waiting job with what an admin can do to it (the links of its row)."""
    return [
        {
            "job": job,
            "attach": job.can_be_given_a_task_by_admin,
            "close": job.can_be_closed_by_admin,
            "resume": job.status == Job.Status.SET_ASIDE,
        }
        for job in jobs
    ]


def reconciliation(request, site):
    books = audit.job_books()
    findings: dict[str, Any] = dict(balances=audit.balance_mismatches(), chain=books.chain, jobs=books.jobs)
    waiting = audit.waiting_jobs()
    context = _context(
        site,
        request,
        "Reconciliation",
        **findings,
        waiting=waiting,
        overdue=_with_actions(waiting.overdue),
        set_aside=_with_actions(waiting.set_aside),
        alerts=recent_alerts(),
        alerts_days=ALERT_DAYS,
        admins_configured=bool(settings.ADMINS),
        costs=audit.cost_comparison(),
        provider_balances=audit.provider_balances(),
        mismatch_count=sum(len(found) for found in findings.values()),
    )
    return TemplateResponse(request, "admin/credits/reconciliation.html", context)


def spend(request, site):
    figures = spending.spend()
    context = _context(
        site,
        request,
        f"Spend, last {spending.DAYS} days",
        spend=figures,
        chart=figures.chart(),
        top=figures.top_spenders(),
    )
    return TemplateResponse(request, "admin/credits/spend.html", context)


REPORTS = (
    Report("credits", "credits_reconciliation", "reconciliation/", "Reconciliation", reconciliation, PERMISSION),
    Report("credits", "credits_spend", "spend/", "Spend", spend, PERMISSION),
)


def install(site) -> None:
    """Add the reports to `site` (see seedance_studio.admin_reports). Called from credits/admin.py."""
    admin_reports.install(site, REPORTS)
