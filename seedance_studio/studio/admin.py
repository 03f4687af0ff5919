"""Jobs in the admin: what each one was (its recipe), what it cost (quote, charge or release, the provider's
own report), and the three things an admin may do to one, each a named transition on the model: close it after
reconciling it with the provider (credits released), resume a set-aside job, attach the provider's task to a
job whose create went unanswered. Every other field is read-only: a job's state moves only by its transitions.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from seedance_studio import admin_reports
from seedance_studio.credits.audit import as_decimal, provider_name, signed
from seedance_studio.seedance import registry
from seedance_studio.studio import admin_views
from seedance_studio.studio.models import Job, StudioSettings

admin_reports.install(admin.site, admin_views.REPORTS)

C = Job.Credits
NONE = "—"


def tier_name(provider_id: str, tier_id: str) -> str:
    try:
        return registry.get_provider(provider_id).tier(tier_id).display_name
    except KeyError:
        return tier_id


class ProviderFilter(admin.SimpleListFilter):
    title = "provider"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return [(info.id, info.display_name) for info in registry.providers()]

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=250,
        widget=forms.TextInput(attrs={"size": 70}),
        help_text='What the provider\'s dashboard showed, e.g. "no task was created" or "task failed, not billed". '
        "Kept with the job and in the ledger.",
        error_messages={
            "required": "Say what you found at the provider: the reason is kept with the job and in the ledger."
        },
    )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin-studio.css"]}  # the recipe, quote and ledger fragments (no inline styles: CSP)

    # The money first after who and where, so it shows beside the filters without scrolling; the phase is a
    # filter and the cost's own unit a tooltip, to keep the list narrow.
    list_display = [
        "job",
        "owner",
        "provider_label",
        "quote_credits",
        "charged",
        "released",
        "reported",
        "difference",
        "status",
        "tier",
        "created",
    ]
    list_select_related = ["owner", "composition"]
    # The phases are the admin's to-do list: "Confirming with the provider" (creates that went unanswered, to
    # attach or close) and "Overdue at the provider" (followed past PROVIDER_FOLLOW_HOURS, to check or close).
    list_filter = [ProviderFilter, "kind", "status", "credits_status", "phase", "moderation", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["public_id", "provider_task_id", "owner__username", "composition__prompt"]
    actions = ["close_after_reconciliation", "resume"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "public_id",
                    "owner",
                    "provider_label",
                    "tier",
                    "status",
                    "phase",
                    "status_note",
                    "error_message",
                    "moderation",
                ]
            },
        ),
        ("Recipe", {"fields": ["recipe", "kind", "continues", "chain_shots"]}),
        (
            "Credits",
            {"fields": ["price_credits", "credits_status", "quote_details", "provider_report", "difference", "ledger"]},
        ),
        (
            "At the provider",
            {
                "fields": [
                    "provider_task_id",
                    "create_sent_at",
                    "follow_deadline",
                    "run_after",
                    "attempts",
                    "lease_owner",
                    "lease_expires_at",
                    "progress",
                    "provider_eta_seconds",
                    "poll_interval",
                ]
            },
        ),
        ("Result", {"fields": ["result_files", "width", "height", "duration", "result_outputs"]}),
        ("Times", {"fields": ["created_at", "started_at", "finished_at", "updated_at"]}),
        ("Request sent to the provider", {"fields": ["request_json"], "classes": ["collapse"]}),
    ]

    # --- The list ---------------------------------------------------------------------------------------------

    @admin.display(description="job", ordering="created_at")
    def job(self, job):
        return str(job.public_id)[:8]

    @admin.display(description="created (UTC)", ordering="created_at")
    def created(self, job):
        return f"{job.created_at:%Y-%m-%d %H:%M}"

    @admin.display(description="provider", ordering="provider")
    def provider_label(self, job):
        return provider_name(job.provider)

    @admin.display(ordering="composition__tier")
    def tier(self, job):
        return tier_name(job.provider, job.composition.tier)

    @admin.display(description="quote", ordering="price_credits")
    def quote_credits(self, job):
        if isinstance(job.quote, dict) and job.quote.get("estimated"):
            return format_html(
                '{} <abbr title="{}">est.</abbr>',
                f"{job.price_credits:,}",
                job.quote.get("estimated_because") or "estimated",
            )
        return f"{job.price_credits:,}"

    @admin.display(description="charged")
    def charged(self, job):
        return f"{job.price_credits:,}" if job.credits_status == C.CHARGED else NONE

    @admin.display(description="released")
    def released(self, job):
        return f"{job.price_credits:,}" if job.credits_status == C.RELEASED else NONE

    @admin.display(description="provider-reported cost")
    def reported_cost(self, job):
        cost = job.provider_cost if isinstance(job.provider_cost, dict) else {}
        amount, credits = as_decimal(cost.get("amount")), as_decimal(cost.get("studio_credits"))
        parts = []
        if amount is not None:
            parts.append(f"{amount.normalize():,f} {cost.get('unit_label') or cost.get('unit') or ''}".strip())
        if credits is not None:
            parts.append(f"{credits.normalize():,f} credits")
        return " = ".join(parts) or NONE

    @admin.display(description="reported")
    def reported(self, job):
        """The list's short form: the report in studio credits (comparable with the quote), its own unit on hover."""
        cost = job.provider_cost if isinstance(job.provider_cost, dict) else {}
        credits = as_decimal(cost.get("studio_credits"))
        if credits is None:
            return self.reported_cost(job)
        return format_html('<span title="{}">{}</span>', self.reported_cost(job), f"{credits.normalize():,f}")

    @admin.display(description="difference")
    def difference(self, job):
        cost = job.provider_cost if isinstance(job.provider_cost, dict) else {}
        credits = as_decimal(cost.get("studio_credits"))
        return NONE if credits is None else signed(credits - job.price_credits)

    # --- The change page ----------------------------------------------------------------------------------

    @admin.display(description="recipe")
    def recipe(self, job):
        composition = job.composition
        counts: dict[str, int] = {}
        references = []
        for reference in composition.ordered_references():
            counts[reference.kind] = counts.get(reference.kind, 0) + 1
            references.append((f"@{reference.kind}{counts[reference.kind]}", reference))
        settings = [
            ("Model", composition.model_label),
            ("Mode", composition.get_mode_display()),
            ("Duration", f"{composition.duration} s"),
            ("Aspect ratio", composition.get_aspect_ratio_display()),
            ("Resolution", composition.resolution),
            ("Audio", "generated" if composition.generate_audio else "none"),
            ("Seed", NONE if composition.seed is None else composition.seed),
            *((name, value) for name, value in sorted((composition.extras or {}).items())),
        ]
        return mark_safe(
            render_to_string(
                "admin/studio/job/recipe.html",
                {"prompt": composition.prompt, "references": references, "settings": settings},
            )
        )

    @admin.display(description="quote")
    def quote_details(self, job):
        quote = job.quote if isinstance(job.quote, dict) else {}
        lines = quote.get("lines") if isinstance(quote.get("lines"), list) else []
        return mark_safe(render_to_string("admin/studio/job/quote.html", {"quote": quote, "lines": lines}))

    @admin.display(description="provider's report")
    def provider_report(self, job):
        if not job.provider_cost:
            return "None: this provider reports no cost, or the job has not finished."
        return format_html(
            "{}<pre>{}</pre>",
            self.reported_cost(job),
            json.dumps(job.provider_cost.get("raw", job.provider_cost), indent=2, default=str),
        )

    @admin.display(description="ledger entries")
    def ledger(self, job):
        url = f"{reverse('admin:credits_ledgerentry_changelist')}?job_public_id={job.public_id}"
        return format_html('<a href="{}">This job\'s entries in the ledger</a>', url)

    @admin.display(description="files")
    def result_files(self, job):
        names = [
            f"{label}: {getattr(job, name).name}"
            for name, label in (
                ("video", "video"),
                ("poster", "poster"),
                ("first_frame", "first frame"),
                ("last_frame", "last frame"),
            )
            if getattr(job, name)
        ]
        return format_html("<br>".join(["{}"] * len(names)), *names) if names else NONE

    @admin.display(description="request body")
    def request_json(self, job):
        return format_html("<pre>{}</pre>", json.dumps(job.request_body, indent=2, default=str))

    def get_readonly_fields(self, request, obj=None):
        fields = [name for _, options in self.fieldsets for name in options["fields"]]
        if obj is not None and obj.can_be_given_a_task_by_admin:
            # The one edit: name the task the provider's dashboard shows for this job.
            fields.remove("provider_task_id")
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, unquote(object_id))
        editable = job is not None and job.can_be_given_a_task_by_admin
        extra_context = {
            **(extra_context or {}),
            "show_save": editable,
            "show_save_and_continue": editable,
            "show_save_and_add_another": False,
            "show_delete": False,
            "can_close": job is not None and job.can_be_closed_by_admin,
            "can_resume": job is not None and job.status == Job.Status.SET_ASIDE,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Never obj.save(): the job's fields move only through its transitions.
        if "provider_task_id" not in form.changed_data:
            return
        if obj.attach_task_by_admin(form.cleaned_data["provider_task_id"]):
            self.message_user(request, "Task attached: the worker follows it from now on.", messages.SUCCESS)
        else:
            self.message_user(
                request,
                "The task was not attached: the job already has a task, is no longer "
                "waiting for one, or another job has that task id.",
                messages.ERROR,
            )

    def response_change(self, request, obj):
        return HttpResponseRedirect(reverse("admin:studio_job_change", args=[obj.pk]))

    def has_add_permission(self, request):
        return False  # jobs come from submissions, with their credits reserved

    def has_delete_permission(self, request, obj=None):
        return False  # a job with held credits must be settled, not deleted

    # --- Closing and resuming -----------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/close/", wrap(self.close_view), name="studio_job_close"),
            path("<path:object_id>/resume/", wrap(self.resume_view), name="studio_job_resume"),
            *super().get_urls(),
        ]

    @admin.action(description="Close after reconciliation (release the credits)", permissions=["change"])
    def close_after_reconciliation(self, request, queryset):
        jobs = list(queryset.select_related("owner", "composition"))
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._close(request, jobs, form.cleaned_data["reason"])
            return None
        return self._settle_page(request, jobs, "close", form, action="close_after_reconciliation")

    @admin.action(description="Resume", permissions=["change"])
    def resume(self, request, queryset):
        self._resume(request, list(queryset))

    def close_view(self, request, object_id):
        job = self._job_to_change(request, object_id)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            self._close(request, [job], form.cleaned_data["reason"])
            return HttpResponseRedirect(reverse("admin:studio_job_change", args=[job.pk]))
        return self._settle_page(request, [job], "close", form)

    def resume_view(self, request, object_id):
        job = self._job_to_change(request, object_id)
        if request.method == "POST":
            self._resume(request, [job])
            return HttpResponseRedirect(reverse("admin:studio_job_change", args=[job.pk]))
        return self._settle_page(request, [job], "resume", None)

    def _job_to_change(self, request, object_id) -> Job:
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404("No such job.")
        if not self.has_change_permission(request, job):
            raise PermissionDenied
        return job

    def _settle_page(self, request, jobs, what: str, form, *, action: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "jobs": jobs,
            "form": form,
            "what": what,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "title": "Close after reconciliation" if what == "close" else "Resume",
            "closable": [job for job in jobs if job.can_be_closed_by_admin],
            "resumable": [job for job in jobs if job.status == Job.Status.SET_ASIDE],
        }
        return TemplateResponse(request, "admin/studio/job/settle.html", context)

    def _close(self, request, jobs, reason: str) -> None:
        closed = [job for job in jobs if job.close_by_admin(request.user, reason)]
        released = sum(job.price_credits for job in closed if job.credits_status == C.RESERVED)
        if closed:
            self.message_user(
                request,
                f"Closed {len(closed)} job{'s' if len(closed) != 1 else ''}; "
                f"{released:,} credits released to their creatives.",
                messages.SUCCESS,
            )
        self._skipped(
            request,
            len(jobs) - len(closed),
            "only set-aside jobs and jobs still being confirmed with the provider can be closed",
        )

    def _resume(self, request, jobs) -> None:
        resumed = [job for job in jobs if job.resume_by_admin()]
        if resumed:
            self.message_user(
                request,
                f"Resumed {len(resumed)} job{'s' if len(resumed) != 1 else ''}: the worker "
                "picks them up at the step they stopped at.",
                messages.SUCCESS,
            )
        self._skipped(request, len(jobs) - len(resumed), "only set-aside jobs can be resumed")

    def _skipped(self, request, count: int, why: str) -> None:
        if count == 1:
            self.message_user(request, f"1 job was left as it was: {why}.", messages.WARNING)
        elif count:
            self.message_user(request, f"{count} jobs were left as they were: {why}.", messages.WARNING)


@admin.register(StudioSettings)
class StudioSettingsAdmin(admin.ModelAdmin):
    """One row, always there: the list leads straight to it, and it can be neither added twice nor deleted."""

    fields = ["max_takes"]

    def has_add_permission(self, request):
        return not StudioSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings, _ = StudioSettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:studio_studiosettings_change", args=[settings.pk]))
