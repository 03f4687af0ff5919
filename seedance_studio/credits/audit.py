"""Where did the money go? Plain functions that check the ledger against itself, the balances and the jobs,
and say what they found. The reconciliation page and `manage.py credits audit` both read them.

Every check runs a fixed number of queries however long the ledger is (GROUP BY aggregates and correlated
EXISTS subqueries, never a query per user or per job): an admin runs it on the live database.

What counts as a *mismatch* (`mismatches()`, the command's exit code): a balance that differs from the sum of
its entries, a broken reservation/settlement chain, a job whose credits status disagrees with its entries.
Jobs waiting too long and provider costs that differ from the quote are shown, not counted: they are work
for an admin, not errors in the books.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.credits.provider_cost import UNIT_LABELS
from seedance_studio.provider_api import OutcomeUnknown, ProviderError
from seedance_studio.seedance import registry
from seedance_studio.studio.models import Job

log = logging.getLogger(__name__)

Kind = LedgerEntry.Kind
ENDED = (Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.CANCELLED)
LOCAL_PREVIEW_HOURS = 1  # a local render takes minutes; an hour in flight means the worker is not running
LISTED = 200  # rows a section lists at most (the counts stay exact)


def _signed(*whens: When) -> Coalesce:
    return Coalesce(Sum(Case(*whens, default=Value(0), output_field=BigIntegerField())), Value(0))


# How each kind moves the two balances (the table in LedgerEntry's docstring, as SQL).
LEDGER_AVAILABLE = _signed(
    When(kind__in=[Kind.GRANT, Kind.ADJUSTMENT, Kind.RELEASE], then=F("amount")),
    When(kind=Kind.RESERVE, then=-F("amount")),
)
LEDGER_HELD = _signed(
    When(kind=Kind.RESERVE, then=F("amount")), When(kind__in=[Kind.CONSUME, Kind.RELEASE], then=-F("amount"))
)


# --- (a) Balances against the sums of their entries ---------------------------------------------------------


@dataclass(frozen=True)
class BalanceMismatch:
    user_id: int
    username: str
    available: int | None  # None: the ledger names a creative who has no account row
    held: int | None
    ledger_available: int
    ledger_held: int

    def __str__(self) -> str:
        account = (
            "has no account" if self.available is None else f"account says {self.available} available, {self.held} held"
        )
        return (
            f"Balance of {self.username}: {account}; the ledger sums to {self.ledger_available} available, "
            f"{self.ledger_held} held."
        )


def balance_mismatches() -> list[BalanceMismatch]:
    """Accounts whose balance is not the sum of their ledger entries. Two queries: one GROUP BY over the ledger,
    one over the accounts."""
    sums = {
        row["user_id"]: row
        for row in LedgerEntry.objects.order_by()
        .values("user_id", "user__username")
        .annotate(available=LEDGER_AVAILABLE, held=LEDGER_HELD)
    }
    found = []
    for user_id, username, available, held in CreditAccount.objects.order_by("user__username").values_list(
        "user_id", "user__username", "available", "held"
    ):
        row = sums.pop(user_id, None)
        ledger_available, ledger_held = (row["available"], row["held"]) if row else (0, 0)
        if (available, held) != (ledger_available, ledger_held):
            found.append(BalanceMismatch(user_id, username, available, held, ledger_available, ledger_held))
    for user_id, row in sums.items():  # entries without an account: credits nobody can see
        found.append(BalanceMismatch(user_id, row["user__username"], None, None, row["available"], row["held"]))
    return found


# --- (b) The reservation -> settlement chain of each job -----------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    job_public_id: uuid.UUID
    username: str
    problem: str
    job_pk: int | None = None  # None: the job row was deleted (its entries stay)

    def __str__(self) -> str:
        return f"Ledger of job {self.job_public_id} ({self.username}): {self.problem}"


def chain_problems() -> list[ChainProblem]:
    """Jobs whose ledger entries do not form reserve -> (consume | release) of the same amount. The database's
    unique constraints already refuse a second reservation or settlement; this catches what they cannot (a
    settlement without a reservation, a different amount, entries naming two creatives)."""
    return job_books().chain


# --- (c) Each job's credits status against its entries -------------------------------------------------------


@dataclass(frozen=True)
class JobProblem:
    job_pk: int
    job_public_id: uuid.UUID
    username: str
    status: str
    credits_status: str
    problem: str

    def __str__(self) -> str:
        return f"Job {self.job_public_id} ({self.username}, {self.status}): {self.problem}"


def job_problems() -> list[JobProblem]:
    """Jobs that ended with their credits still reserved, and jobs whose credits_status is not what their
    ledger entries say (charged without a consume, released without a release, reserved without a reserve, a
    reservation of another amount than the quote)."""
    return job_books().jobs


@dataclass(frozen=True)
class JobBooks:
    chain: list[ChainProblem]
    jobs: list[JobProblem]


# The ledger summed per job, joined to the jobs in SQL: one read of each table, and the database keeps only the
# rows that are wrong. (A correlated subquery per job, or comparing in Python, was several times slower at
# 10,000 entries.) Plain SQL because the ORM cannot join a grouped subquery; it runs as is on PostgreSQL and
# SQLite.
BOOKS = """
    WITH books AS (
        SELECT job_public_id AS public_id,
               SUM(CASE WHEN kind = 'reserve' THEN amount ELSE 0 END) AS reserved,
               SUM(CASE WHEN kind = 'consume' THEN amount ELSE 0 END) AS consumed,
               SUM(CASE WHEN kind = 'release' THEN amount ELSE 0 END) AS released,
               SUM(CASE WHEN kind = 'reserve' THEN 1 ELSE 0 END) AS reserves,
               SUM(CASE WHEN kind = 'consume' THEN 1 ELSE 0 END) AS consumes,
               SUM(CASE WHEN kind = 'release' THEN 1 ELSE 0 END) AS releases,
               MIN(user_id) AS first_user, MAX(user_id) AS last_user
        FROM credits_ledgerentry WHERE job_public_id IS NOT NULL GROUP BY job_public_id)
"""
BOOK_COLUMNS = ("reserved", "consumed", "released", "reserves", "consumes", "releases", "first_user", "last_user")
JOB_PROBLEMS_SQL = (
    BOOKS
    + """
    SELECT j.id, j.public_id, j.owner_id, j.status, j.credits_status, j.price_credits,
           COALESCE(b.reserves, 0), COALESCE(b.consumes, 0), COALESCE(b.releases, 0), b.reserved
    FROM studio_job j LEFT JOIN books b ON b.public_id = j.public_id
    WHERE NOT (
        (j.credits_status = 'free' AND b.public_id IS NULL)
        OR (j.credits_status = 'reserved' AND b.reserves > 0 AND b.consumes = 0 AND b.releases = 0
            AND j.status NOT IN ('succeeded', 'failed', 'cancelled'))
        OR (j.credits_status = 'charged' AND b.reserves > 0 AND b.consumes > 0 AND b.releases = 0)
        OR (j.credits_status = 'released' AND b.reserves > 0 AND b.consumes = 0 AND b.releases > 0))
       OR (b.reserves > 0 AND b.reserved <> j.price_credits)
    ORDER BY j.created_at DESC, j.id DESC LIMIT %s
"""
)
CHAIN_PROBLEMS_SQL = (
    BOOKS
    + """
    SELECT b.public_id, j.id, b.reserved, b.consumed, b.released, b.reserves, b.consumes, b.releases,
           b.first_user, b.last_user
    FROM books b LEFT JOIN studio_job j ON j.public_id = b.public_id
    WHERE b.reserves <> 1 OR b.consumes + b.releases > 1 OR b.first_user <> b.last_user
       OR (b.consumes + b.releases = 1 AND b.reserved <> b.consumed + b.released)
    ORDER BY b.public_id LIMIT %s
"""
)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))  # SQLite stores hex text


def job_books() -> JobBooks:
    """Both job checks, (b) and (c): three queries whatever the number of entries."""
    with connection.cursor() as cursor:
        cursor.execute(JOB_PROBLEMS_SQL, [LISTED])
        rows = cursor.fetchall()
        job_rows = [
            {
                "pk": pk,
                "public_id": _uuid(public_id),
                "owner_id": owner,
                "status": status,
                "credits_status": credits,
                "price_credits": price,
                "has_reserve": bool(reserves),
                "has_consume": bool(consumes),
                "has_release": bool(releases),
                "reserve_amount": reserved,
            }
            for (pk, public_id, owner, status, credits, price, reserves, consumes, releases, reserved) in rows
        ]
        cursor.execute(CHAIN_PROBLEMS_SQL, [LISTED])
        chain_rows = [
            {"job_public_id": _uuid(row[0]), "job_pk": row[1], **dict(zip(BOOK_COLUMNS, row[2:], strict=True))}
            for row in cursor.fetchall()
        ]
    users = {row["owner_id"] for row in job_rows} | {row["first_user"] for row in chain_rows}
    names = dict(get_user_model().objects.filter(pk__in=users).values_list("pk", "username")) if users else {}
    return JobBooks(
        chain=[
            ChainProblem(row["job_public_id"], names.get(row["first_user"], "?"), _describe_chain(row), row["job_pk"])
            for row in chain_rows
        ],
        jobs=[
            JobProblem(
                row["pk"],
                row["public_id"],
                names.get(row["owner_id"], "?"),
                row["status"],
                row["credits_status"],
                _describe_job(row),
            )
            for row in job_rows
        ],
    )


def _describe_chain(row: dict) -> str:
    settlements = row["consumes"] + row["releases"]
    settled_kind, settled = ("charged", row["consumed"]) if row["consumed"] else ("refunded", row["released"])
    if row["reserves"] == 0:
        return f"{settled_kind} {settled} credits without any reservation."
    if row["reserves"] > 1 or settlements > 1:
        return f"{row['reserves']} reservations and {settlements} settlements (one of each at most)."
    if row["first_user"] != row["last_user"]:
        return "its entries name more than one creative."
    return f"reserved {row['reserved']} credits but {settled_kind} {settled}."


def _describe_job(row: dict) -> str:
    C = Job.Credits
    status, credits = row["status"], row["credits_status"]
    if credits == C.RESERVED and status in ENDED:
        return f"it ended ({status}) with its credits still reserved: they are held for nothing."
    needs = {C.RESERVED: ("reserve",), C.CHARGED: ("reserve", "consume"), C.RELEASED: ("reserve", "release")}
    missing = [kind for kind in needs.get(credits, ()) if not row[f"has_{kind}"]]
    if missing:
        return f"credits {credits} but the ledger has no {' or '.join(missing)} entry."
    extra = [
        kind for kind in ("reserve", "consume", "release") if row[f"has_{kind}"] and kind not in needs.get(credits, ())
    ]
    if extra:
        return f"credits {credits} but the ledger has a {' and a '.join(extra)} entry."
    return f"reserved {row['reserve_amount']} credits but its quote is {row['price_credits']}."


def mismatches() -> list[BalanceMismatch | ChainProblem | JobProblem]:
    """Every error in the books, in the order an admin should read them."""
    books = job_books()
    return [*balance_mismatches(), *books.chain, *books.jobs]


# --- (d) Jobs that need an admin -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingJobs:
    overdue: list[Job]  # in flight longer than they should be
    set_aside: list[Job]
    remote_hours: int
    local_hours: int = LOCAL_PREVIEW_HOURS


def waiting_jobs(now: datetime | None = None) -> WaitingJobs:
    """Remote jobs in flight longer than PROVIDER_FOLLOW_HOURS (the worker has marked them overdue, or is still
    confirming them), local previews in flight over an hour (no worker running?), and every set-aside job. Two
    queries."""
    now = now or timezone.now()
    hours = settings.PROVIDER_FOLLOW_HOURS
    overdue = Job.objects.in_flight().filter(
        Q(provider="local_preview", created_at__lt=now - timedelta(hours=LOCAL_PREVIEW_HOURS))
        | ~Q(provider="local_preview") & Q(created_at__lt=now - timedelta(hours=hours))
    )
    set_aside = Job.objects.filter(status=Job.Status.SET_ASIDE)
    related = ("owner", "composition")
    return WaitingJobs(
        list(overdue.select_related(*related).order_by("created_at", "pk")[:LISTED]),
        list(set_aside.select_related(*related).order_by("created_at", "pk")[:LISTED]),
        hours,
    )


# --- (e) Quotes against what the providers say they charged ------------------------------------------------


def signed(number: Decimal | int | None) -> str:
    """+12, -8, 0: a difference reads as one."""
    if number is None:
        return "unknown"
    return f"{Decimal(number).normalize():+,f}" if number else "0"


def as_decimal(value) -> Decimal | None:
    """A number from a provider's JSON (int, numeric string, float), or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class CostLine:
    job_pk: int
    job_public_id: uuid.UUID
    provider: str
    username: str
    created_at: datetime
    quoted: int
    reported_amount: Decimal | None
    unit: str
    reported_credits: Decimal | None

    @property
    def name(self) -> str:
        return provider_name(self.provider)

    @property
    def difference(self) -> Decimal | None:
        """Studio credits the provider's report differs from the quote by (negative: it charged less)."""
        return None if self.reported_credits is None else self.reported_credits - self.quoted

    @property
    def signed_difference(self) -> str:
        return signed(self.difference)


@dataclass
class ProviderCostTotal:
    provider: str
    jobs: int = 0
    quoted: int = 0
    reported_credits: Decimal = Decimal(0)
    jobs_in_credits: int = 0  # jobs whose report converts to studio credits (the difference counts only these)
    quoted_in_credits: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # provider unit -> amount

    @property
    def name(self) -> str:
        return provider_name(self.provider)

    @property
    def difference(self) -> Decimal:
        return self.reported_credits - self.quoted_in_credits

    @property
    def signed_difference(self) -> str:
        return signed(self.difference) if self.jobs_in_credits else "—"


@dataclass(frozen=True)
class CostComparison:
    lines: list[CostLine]  # the largest differences first, at most LISTED
    totals: list[ProviderCostTotal]
    jobs: int
    differing: int


def cost_comparison() -> CostComparison:
    """Every job whose provider reported a cost: its quote, the report and the difference, with totals per
    provider. One query; the JSON is read in Python because providers write numbers as strings or numbers."""
    rows = (
        Job.objects.filter(Q(provider_cost__has_key="amount") | Q(provider_cost__has_key="studio_credits"))
        .values_list("pk", "public_id", "provider", "owner__username", "created_at", "price_credits", "provider_cost")
        .order_by("-created_at", "-pk")
    )
    lines: list[CostLine] = []
    totals: dict[str, ProviderCostTotal] = {}
    for pk, public_id, provider, username, created_at, quoted, cost in rows.iterator():
        cost = cost if isinstance(cost, dict) else {}
        line = CostLine(
            pk,
            public_id,
            provider,
            username,
            created_at,
            quoted,
            as_decimal(cost.get("amount")),
            str(cost.get("unit_label") or cost.get("unit") or ""),
            as_decimal(cost.get("studio_credits")),
        )
        lines.append(line)
        total = totals.setdefault(provider, ProviderCostTotal(provider))
        total.jobs += 1
        total.quoted += quoted
        if line.reported_amount is not None:
            total.amounts[line.unit] = total.amounts.get(line.unit, Decimal(0)) + line.reported_amount
        if line.reported_credits is not None:
            total.jobs_in_credits += 1
            total.quoted_in_credits += quoted
            total.reported_credits += line.reported_credits
    differing = [line for line in lines if line.difference != 0]
    differing.sort(key=lambda line: (line.difference is not None, abs(line.difference or 0)), reverse=True)
    return CostComparison(
        differing[:LISTED], sorted(totals.values(), key=lambda t: t.provider), len(lines), len(differing)
    )


# --- (f) What each provider account can still spend ---------------------------------------------------------


@dataclass(frozen=True)
class ProviderBalance:
    provider: str
    name: str
    amount: Decimal | None
    unit: str = ""
    note: str = ""  # why there is no amount

    @property
    def display(self) -> str:
        if self.amount is None:
            return self.note
        return f"{self.amount.normalize():,f} {self.unit}".strip()


def provider_balances() -> list[ProviderBalance]:
    """Each configured provider's own balance, where its API reports one. A provider that cannot be read says
    why instead of failing the page: the admin is usually here because something is wrong."""
    from seedance_studio.worker import remote  # the worker's own client factory, imported late: it is heavy

    found = []
    for provider in settings.PROVIDERS:
        name = provider_name(provider)
        try:
            read = getattr(remote.provider_client(provider), "account_balance", None)
            balance = read() if read is not None else None
        except Exception as error:
            if not isinstance(error, (ProviderError, OutcomeUnknown)):  # unexpected: keep the traceback
                log.exception("Reading the %s balance failed", provider)
            reason = str(error) or type(error).__name__
            found.append(ProviderBalance(provider, name, None, note=f"could not be read: {reason}"))
            continue
        if balance is None:
            found.append(ProviderBalance(provider, name, None, note="not reported (its API has no balance endpoint)"))
        else:
            found.append(ProviderBalance(provider, name, balance.amount, UNIT_LABELS.get(balance.unit, balance.unit)))
    return found


def provider_name(provider_id: str | None) -> str:
    """ "PiAPI", "Local preview"; the id itself for a provider the studio no longer knows."""
    if not provider_id:
        return "Deleted job"
    try:
        return registry.get_provider(provider_id).display_name
    except KeyError:
        return provider_id
