"""Where a creative's credits went: the statement (every ledger entry, newest first), a receipt per job, and the
whole statement as CSV.

Everything here reads; only `credits.ledger` and the `Job` transitions write. A statement line is described
from its ledger entry and, where it names a job, from that job, fetched for a whole page (or CSV chunk) in one
query: the entry outlives a deleted job, so a missing job is a normal case, not an error.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from datetime import UTC
from itertools import islice

from django.contrib.auth.decorators import login_required
from django.db.models import Q, Subquery
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import truncatechars
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from seedance_studio.credits.balance import balance_of
from seedance_studio.credits.models import LedgerEntry
from seedance_studio.htmx import AuthenticatedHtmxHttpRequest
from seedance_studio.studio.models import Job

Kind = LedgerEntry.Kind

PAGE_SIZE = 50
CSV_CHUNK = 500

# The statement's filter, in a creative's words; the empty key is "everything".
KIND_FILTERS = {
    "": "All",
    Kind.GRANT: "Grants",
    Kind.ADJUSTMENT: "Adjustments",
    Kind.RESERVE: "Reserved",
    Kind.CONSUME: "Charged",
    Kind.RELEASE: "Refunded",
}


@dataclass(frozen=True)
class StatementLine:
    entry: LedgerEntry
    job: Job | None  # None for grants and adjustments, and for a job whose row was deleted

    @property
    def description(self) -> str:
        """What happened, in words (also the CSV's description column)."""
        entry = self.entry
        if entry.kind == Kind.GRANT:
            return f"Granted by an admin: {entry.reason}"
        if entry.kind == Kind.ADJUSTMENT:
            direction = "added" if entry.amount > 0 else "deducted"
            return f"Adjustment by an admin ({direction}): {entry.reason}"
        if entry.kind == Kind.RESERVE:
            return f"Reserved for job {self.job_name}"
        if entry.kind == Kind.CONSUME:
            return f"Charged for job {self.job_name}"
        return f"Refunded: {entry.reason or 'the job ended without a video'}"

    @property
    def job_name(self) -> str:
        # Only reserve/consume/release entries are described by their job, and those always carry its id.
        public_id = self.entry.job_public_id
        assert public_id is not None
        if self.job is None:
            return f"{public_id.hex[:8]} (deleted)"
        prompt = self.job.composition.prompt.strip()
        return f"“{truncatechars(prompt, 60)}”" if prompt else public_id.hex[:8]

    @property
    def available_change(self) -> int:
        """The entry's effect on available credits. A charge spends credits already held at the reservation, so
        it changes only what is held (0 here)."""
        return self.entry.available_change

    @property
    def sign(self) -> str:
        change = self.available_change
        return "+" if change > 0 else "\N{MINUS SIGN}" if change < 0 else ""

    @property
    def magnitude(self) -> int:
        return abs(self.available_change)


def _lines(entries) -> list[StatementLine]:
    """Statement lines for a batch of entries, with the jobs they name fetched in one query."""
    entries = list(entries)
    public_ids = {entry.job_public_id for entry in entries if entry.job_public_id}
    jobs: dict[uuid.UUID, Job] = {}
    if public_ids:
        # The ledger is filtered by owner already; filtering the jobs too keeps another creative's job (were a
        # public id ever shared) out of the description.
        owner_ids = {entry.user_id for entry in entries}
        found = Job.objects.filter(public_id__in=public_ids, owner_id__in=owner_ids).select_related("composition")
        # Only what a line shows: a job's request body and results can be large, and a page names up to 50 jobs.
        jobs = {job.public_id: job for job in found.only("public_id", "quote", "composition__prompt")}
    return [StatementLine(entry, jobs.get(entry.job_public_id)) for entry in entries]


def _page(entries, *, before: int | None, after: int | None):
    """One page of entries by keyset, newest first: (rows, cursor for the newer page or None on the first page,
    cursor for the older page or None on the last).

    A keyset rather than offsets: jobs settle while a creative reads, and each new entry would shift an offset
    page and repeat a line on the next one. A cursor is an entry id, placed at its (created_at, id) spot in the
    index by a subquery, so every page costs the same one query however deep it is.
    """
    if after is not None:
        at = Subquery(entries.filter(pk=after).values("created_at")[:1])
        newer = list(
            entries.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=after)).order_by("created_at", "pk")[
                : PAGE_SIZE + 1
            ]
        )
        if len(newer) > PAGE_SIZE:
            rows = newer[:PAGE_SIZE][::-1]
            return rows, rows[0].pk, rows[-1].pk  # the cursor's own entry is older: there is an older page
        before = None  # less than a page is newer: that is the first page, shown as it is now
    if before is not None:
        at = Subquery(entries.filter(pk=before).values("created_at")[:1])
        rows = list(entries.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=before))[: PAGE_SIZE + 1])
        if not rows:  # a stale or foreign cursor: start again from the newest entries
            return _page(entries, before=None, after=None)
    else:
        rows = list(entries[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    return rows, rows[0].pk if before is not None else None, older


def _cursor(request, name: str) -> int | None:
    try:
        return int(request.GET[name])
    except (KeyError, ValueError):
        return None


@login_required
@require_GET
@vary_on_headers("HX-Request")
def statement(request: AuthenticatedHtmxHttpRequest):
    kind = request.GET.get("kind", "")
    if kind not in KIND_FILTERS:
        kind = ""
    entries = LedgerEntry.objects.filter(user=request.user).order_by("-created_at", "-pk")
    if kind:
        entries = entries.filter(kind=kind)
    rows, newer, older = _page(entries, before=_cursor(request, "before"), after=_cursor(request, "after"))
    context = {"lines": _lines(rows), "kind": kind, "kind_filters": KIND_FILTERS, "newer": newer, "older": older}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "credits/statement.html#statement", context)
    context["balance"] = balance_of(request.user)
    context["jobs_holding"] = Job.objects.filter(owner=request.user, credits_status=Job.Credits.RESERVED).count()
    return render(request, "credits/statement.html", context)


@login_required
@require_GET
def job_receipt(request: AuthenticatedHtmxHttpRequest, public_id):
    job = Job.objects.filter(owner=request.user, public_id=public_id).select_related("composition").first()
    entries = list(LedgerEntry.objects.filter(user=request.user, job_public_id=public_id).order_by("created_at", "pk"))
    if job is None and not entries:
        raise Http404("No job of yours has this id.")
    by_kind = {entry.kind: entry for entry in entries}
    return render(
        request,
        "credits/receipt.html",
        {
            "job": job,
            "public_id": public_id,
            "lines": [StatementLine(entry, job) for entry in entries],
            "reserved": by_kind.get(Kind.RESERVE),
            "charged": by_kind.get(Kind.CONSUME),
            "refunded": by_kind.get(Kind.RELEASE),
            "provider_cost": provider_cost_note(job),
        },
    )


def provider_cost_note(job: Job | None) -> str:
    """What the provider said it billed, set against the quote: "PiAPI reported 0.75 USD = 75 credits, 5 less
    than the quote; you were charged the quote (80 credits)." Empty when the provider reported nothing."""
    if job is None:
        return ""
    cost = job.provider_cost or {}
    if not cost or (cost.get("amount") is None and cost.get("studio_credits") is None):
        return ""
    unit = cost.get("unit_label") or cost.get("unit")  # "PiAPI points", not the wire code "PIAPI_POINTS"
    reported = " ".join(str(part) for part in (cost.get("amount"), unit) if part not in (None, ""))
    credits = cost.get("studio_credits")
    sentence = f"{job.provider_name} reported {reported or f'{credits} credits'}"
    if credits is not None and reported:
        sentence += f" = {credits} credit{'s' if credits != 1 else ''}"
    difference = job.cost_difference
    if difference is not None:
        sentence += (
            ", the same as the quote"
            if difference == 0
            else f", {abs(difference)} {'less' if difference < 0 else 'more'} than the quote"
        )
    if job.credits_status == Job.Credits.CHARGED:
        # Jobs are consumed at the quote, never more: a higher report is the studio's to absorb.
        sentence += f"; you were charged the quote ({job.price_credits} credits)."
    elif job.credits_status == Job.Credits.RELEASED:
        sentence += "; you were not charged."
    else:
        sentence += "; you will be charged no more than the quote."
    return sentence


# --- CSV -------------------------------------------------------------------------------------------------------

CSV_HEADER = ["time", "kind", "description", "amount", "available_after", "held_after", "job_id", "quote_summary"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ (or a tab/CR before one) as a formula; a leading quote
    makes it text. Only for text cells: amounts are numbers and must stay numbers."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """csv.writer wants a file; this one hands each formatted row back to the generator."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    stream = entries.iterator(chunk_size=CSV_CHUNK)
    while batch := list(islice(stream, CSV_CHUNK)):
        for line in _lines(batch):
            entry = line.entry
            summary = (line.job.quote or {}).get("summary", "") if line.job else ""
            yield writer.writerow(
                [
                    entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    entry.kind,
                    spreadsheet_safe(line.description),
                    line.available_change,
                    entry.available_after,
                    entry.held_after,
                    entry.job_public_id or "",
                    spreadsheet_safe(summary),
                ]
            )


@login_required
@require_GET
def statement_csv(request: AuthenticatedHtmxHttpRequest):
    """Every entry, oldest first like a bank export (the running balance reads downwards); the amount column is
    the change to available credits, so it sums to the last row's available_after."""
    entries = LedgerEntry.objects.filter(user=request.user).order_by("created_at", "pk")
    today = timezone.now().astimezone(UTC).date().isoformat()
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seedance-studio-credits-{today}.csv"'
    return response
