"""Credits in the admin: each creative's account, the ledger behind it, and the reports (admin_views).

Accounts get their own admin rather than columns on Django's User admin: balances sort and search on real
columns of one table, the User admin stays Django's, and everything about money sits in one Credits section
beside the ledger and the reports. Every user has an account from creation (see credits.apps), so every
creative is listed here, with 0 until an admin grants some. The ledger cannot be an InlineModelAdmin on the
account (its foreign key is to the user, so the entry outlives any account row), so the account page shows it
as a read-only table of the newest entries with a link to the full, filtered ledger.

Nothing here writes a balance: grants and deductions go through `credits.ledger`, which writes the entry that
explains them; the account form saves only the limits.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from seedance_studio.credits import admin_views, ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.studio.models import Job

RECENT_ENTRIES = 20
MOST_AT_ONCE = 1_000_000_000  # far above any real grant; keeps a typo of extra zeros from being one
LIMITS = ("daily_spending_cap", "max_jobs_in_flight")

admin_views.install(admin.site)


def with_job_pk(entries):
    """Each entry's job's admin pk, or None once the job row is gone: one subquery, not a query per row."""
    return entries.annotate(job_pk=Subquery(Job.objects.filter(public_id=OuterRef("job_public_id")).values("pk")[:1]))


def job_link(entry: LedgerEntry) -> str:
    if entry.job_public_id is None:
        return ""
    short = str(entry.job_public_id)[:8]
    job_pk = getattr(entry, "job_pk", None)  # annotated by the changelist's queryset
    if job_pk is None:
        return format_html('<span title="{}">{} (deleted)</span>', entry.job_public_id, short)
    return format_html(
        '<a href="{}" title="{}">{}</a>', reverse("admin:studio_job_change", args=[job_pk]), entry.job_public_id, short
    )


def ledger_url(user_id: int) -> str:
    return f"{reverse('admin:credits_ledgerentry_changelist')}?user__id__exact={user_id}"


class MoveCreditsForm(forms.Form):
    amount = forms.IntegerField(
        min_value=1,
        max_value=MOST_AT_ONCE,
        help_text="Whole credits, for each selected account.",
        error_messages={
            "required": "Enter an amount of credits.",
            "invalid": "The amount must be a whole number of credits greater than 0, like 500.",
            "min_value": "The amount must be a whole number of credits greater than 0, like 500.",
            "max_value": f"At most {MOST_AT_ONCE:,} credits at a time.",
        },
    )
    reason = forms.CharField(
        max_length=300,
        help_text="Kept in the ledger with the entry, for whoever asks later.",
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={
            "required": "Say why: the reason is kept in the ledger with the entry.",
            "max_length": "Keep the reason under 300 characters.",
        },
    )


class NotEnough(Exception):
    def __init__(self, account: CreditAccount, shortfall: ledger.InsufficientCredits):
        self.account, self.shortfall = account, shortfall


@admin.register(CreditAccount)
class CreditAccountAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin-studio.css"]}  # the recipe, quote and ledger fragments (no inline styles: CSP)

    list_display = [
        "user",
        "email",
        "available",
        "held",
        "daily_spending_cap",
        "max_jobs_in_flight",
        "entries",
        "updated_at",
    ]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    ordering = ["user__username"]
    actions = ["grant_credits", "deduct_credits"]

    @admin.display(ordering="user__email")
    def email(self, account):
        return account.user.email

    @admin.display(description="ledger")
    def entries(self, account):
        return format_html('<a href="{}">entries</a>', ledger_url(account.user_id))

    @admin.display(description="newest ledger entries")
    def recent_ledger(self, account):
        entries = with_job_pk(LedgerEntry.objects.filter(user_id=account.user_id).select_related("admin"))
        total = entries.count()
        rows = [(entry, job_link(entry)) for entry in entries[:RECENT_ENTRIES]]
        return mark_safe(
            render_to_string(
                "admin/credits/creditaccount/recent_ledger.html",
                {"rows": rows, "total": total, "shown": len(rows), "url": ledger_url(account.user_id)},
            )
        )

    fields = ["user", "available", "held", *LIMITS, "recent_ledger", "updated_at"]
    readonly_fields = ["user", "available", "held", "recent_ledger", "updated_at"]

    def save_model(self, request, obj, form, change):
        # Only the limits: a full save would write back the balance as it was when the form was opened,
        # undoing whatever the ledger moved meanwhile.
        obj.save(update_fields=[*LIMITS, "updated_at"])

    def has_add_permission(self, request):
        return False  # every user has an account from the moment it is created (credits.apps)

    def has_delete_permission(self, request, obj=None):
        return False  # an account is the sum of its ledger, which is never deleted

    @admin.action(description="Grant credits", permissions=["change"])
    def grant_credits(self, request, queryset):
        return self._move_credits(request, queryset, "grant_credits")

    @admin.action(description="Deduct credits", permissions=["change"])
    def deduct_credits(self, request, queryset):
        return self._move_credits(request, queryset, "deduct_credits")

    def _move_credits(self, request, queryset, action: str):
        """The intermediate page of both actions: amount and reason, then one ledger entry per account."""
        granting = action == "grant_credits"
        accounts = list(queryset.select_related("user").order_by("user__username"))
        form = MoveCreditsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
            try:
                moved = self._apply(request, accounts, amount, reason, granting)
            except NotEnough as refused:
                form.add_error(
                    "amount",
                    (
                        f"{refused.account.user} has {refused.shortfall.available:,} credits available, so "
                        f"{amount:,} cannot be deducted (credits held by jobs in flight cannot be deducted). "
                        "Nothing was deducted from anyone."
                    ),
                )
            else:
                verb = "Granted" if granting else "Deducted"
                each = " each" if len(moved) > 1 else ""
                balances = "; ".join(f"{entry.user}: {entry.available_after:,} available" for entry in moved[:10])
                more = f"; and {len(moved) - 10} more" if len(moved) > 10 else ""
                self.message_user(request, f"{verb} {amount:,} credits{each} ({balances}{more}).", messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Grant credits" if granting else "Deduct credits",
            "granting": granting,
            "accounts": accounts,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/credits/creditaccount/move_credits.html", context)

    @staticmethod
    def _apply(request, accounts, amount: int, reason: str, granting: bool) -> list[LedgerEntry]:
        # All or nothing: one account short of credits leaves every account as it was.
        with transaction.atomic():
            entries = []
            for account in accounts:
                if granting:
                    entries.append(ledger.grant(account.user, amount, admin=request.user, reason=reason))
                    continue
                try:
                    entries.append(ledger.deduct(account.user, amount, admin=request.user, reason=reason))
                except ledger.InsufficientCredits as shortfall:
                    raise NotEnough(account, shortfall) from None
            return entries


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger, read-only for everyone (superusers too): corrections are new entries, made with the account
    actions."""

    # Time first: it is how a ledger is read, and the list stays narrow enough to show every column.
    list_display = ["time", "user", "kind", "amount", "available_after", "held_after", "job", "admin", "short_reason"]
    list_display_links = ["time"]
    list_select_related = ["user", "admin"]
    list_filter = ["kind", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["user__username", "job_public_id"]
    search_help_text = "A creative's username, or a job id (or part of one)."
    list_per_page = 100
    fields = readonly_fields = (
        "user",
        "kind",
        "amount",
        "available_after",
        "held_after",
        "job",
        "admin",
        "reason",
        "created_at",
    )

    def get_queryset(self, request):
        return with_job_pk(super().get_queryset(request))

    @admin.display(description="job")
    def job(self, entry):
        return job_link(entry)

    @admin.display(description="time (UTC)", ordering="created_at")
    def time(self, entry):
        return f"{entry.created_at:%Y-%m-%d %H:%M}"

    @admin.display(description="reason")
    def short_reason(self, entry):
        if len(entry.reason) <= 60:
            return entry.reason
        return format_html('<span title="{}">{}…</span>', entry.reason, entry.reason[:57])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
