"""What the studio spent: credits charged per day and provider, per creative, and the totals, over a window of
days, plus the geometry of the stacked bar chart the spend page draws as inline SVG.

Charged credits are `consume` ledger entries (a job's reservation spent on its result); the provider comes from
the job through `job_public_id` in a subquery, so every figure is one aggregate query whatever the window holds.
An entry whose job row was deleted still counts, under "Deleted job".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from seedance_studio.credits.audit import provider_name
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.studio.models import Job

Kind = LedgerEntry.Kind
DAYS = 30

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and on the admin's dark theme.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
DELETED_COLOUR = "#999999"


@dataclass(frozen=True)
class UserSpend:
    user_id: int
    username: str
    charged: int
    jobs: int
    refunded: int


@dataclass(frozen=True)
class Totals:
    charged: int
    charged_jobs: int
    refunded: int
    granted: int
    deducted: int
    available_now: int
    held_now: int


@dataclass(frozen=True)
class Segment:
    provider: str
    name: str
    colour: str
    credits: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    day: date
    x: float  # percent of the plot's width: the bars stretch, the text stays its own size
    width: float
    total: int
    segments: tuple[Segment, ...]

    @property
    def title(self) -> str:
        """The hover text of the whole day: "Mar 5: 120 credits (PiAPI 100, GoAPI 20)"."""
        parts = ", ".join(f"{segment.name} {segment.credits:,}" for segment in self.segments)
        return f"{self.day:%a} {self.day:%b} {self.day.day}: {self.total:,} credits" + (f" ({parts})" if parts else "")


@dataclass(frozen=True)
class Chart:
    """A stacked bar chart in an SVG `width="100%"`: x in percent, y in px (see the template)."""

    bars: tuple[Bar, ...]
    gridlines: tuple[tuple[float, str], ...]  # (y, label)
    day_labels: tuple[tuple[float, str, str], ...]  # (x in percent, label, text-anchor)
    legend: tuple[tuple[str, str, int], ...]  # (name, colour, credits)
    height: int
    plot_bottom: int
    left: float  # percent kept free on the left for the gridline labels

    @property
    def empty(self) -> bool:
        return not any(bar.total for bar in self.bars)


@dataclass
class Spend:
    start: date
    end: date
    per_day: dict[date, dict[str, int]] = field(default_factory=dict)  # day -> provider ("" if deleted) -> credits
    per_user: list[UserSpend] = field(default_factory=list)
    totals: Totals | None = None

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def top_spenders(self, n: int = 5) -> list[UserSpend]:
        return [user for user in self.per_user if user.charged][:n]

    def chart(self) -> Chart:
        return stacked_bars(self.days, self.per_day)


def window(days: int = DAYS, today: date | None = None) -> tuple[date, date]:
    """The last `days` days, today (UTC) included."""
    today = today or timezone.now().date()
    return today - timedelta(days=days - 1), today


def spend(days: int = DAYS, today: date | None = None) -> Spend:
    start, end = window(days, today)
    since = datetime.combine(start, time.min, tzinfo=UTC)
    entries = LedgerEntry.objects.filter(created_at__gte=since).order_by()
    result = Spend(start, end)

    provider_of_job = Subquery(Job.objects.filter(public_id=OuterRef("job_public_id")).values("provider")[:1])
    for row in (
        entries.filter(kind=Kind.CONSUME)
        .annotate(day=TruncDate("created_at"), provider=provider_of_job)
        .values("day", "provider")
        .annotate(credits=Sum("amount"))
        .order_by("day", "provider")
    ):
        result.per_day.setdefault(row["day"], {})[row["provider"] or ""] = row["credits"]

    charged, refunded = Q(kind=Kind.CONSUME), Q(kind=Kind.RELEASE)
    result.per_user = [
        UserSpend(row["user_id"], row["user__username"], row["charged"], row["jobs"], row["refunded"])
        for row in entries.filter(charged | refunded)
        .values("user_id", "user__username")
        .annotate(
            charged=Coalesce(Sum("amount", filter=charged), 0),
            jobs=Count("pk", filter=charged),
            refunded=Coalesce(Sum("amount", filter=refunded), 0),
        )
        .order_by("-charged", "user__username")
    ]

    moved = entries.aggregate(
        charged=Coalesce(Sum("amount", filter=charged), 0),
        charged_jobs=Count("pk", filter=charged),
        refunded=Coalesce(Sum("amount", filter=refunded), 0),
        granted=Coalesce(Sum("amount", filter=Q(kind=Kind.GRANT)), 0),
        deducted=Coalesce(Sum("amount", filter=Q(kind=Kind.ADJUSTMENT, amount__lt=0)), 0),
    )
    now = CreditAccount.objects.aggregate(available=Coalesce(Sum("available"), 0), held=Coalesce(Sum("held"), 0))
    result.totals = Totals(
        moved["charged"],
        moved["charged_jobs"],
        moved["refunded"],
        moved["granted"],
        -moved["deducted"],
        now["available"],
        now["held"],
    )
    return result


# --- The chart ----------------------------------------------------------------------------------------------


def nice_ceiling(value: int) -> int:
    """The smallest round top at or above `value` (at least 1) whose quarters are round too (0.3, 0.4, 0.6,
    0.75, 1, 1.25, 1.5, 2 x 10^k): the four gridlines get labels like 150, 300, 450."""
    magnitude = 1
    while True:
        for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8):
            if step * magnitude >= value:
                return max(1, int(step * magnitude))
        magnitude *= 10


def compact(number: int) -> str:
    """12 500 -> "12.5k": gridline labels fit the narrow left margin on a phone."""
    if abs(number) >= 1_000_000:
        return f"{number / 1_000_000:.3g}M"
    if abs(number) >= 1_000:
        return f"{number / 1_000:.3g}k"
    return str(number)


def stacked_bars(
    days: list[date], per_day: dict[date, dict[str, int]], *, height: int = 240, left: float = 9.0
) -> Chart:
    providers = sorted({p for values in per_day.values() for p in values}, key=lambda p: (p == "", provider_name(p)))
    colours = {p: DELETED_COLOUR if p == "" else PALETTE[i % len(PALETTE)] for i, p in enumerate(providers)}
    top, bottom = 14, height - 26  # px: room for the top gridline label and the day labels
    plot = bottom - top
    peak = max((sum(values.values()) for values in per_day.values()), default=0)
    scale_top = nice_ceiling(peak)
    slot = (100.0 - left) / max(1, len(days))

    bars = []
    for index, day in enumerate(days):
        values = per_day.get(day, {})
        y, segments = float(bottom), []
        for provider in providers:
            credits = values.get(provider, 0)
            if not credits:
                continue
            h = plot * credits / scale_top
            y -= h
            segments.append(
                Segment(provider, provider_name(provider), colours[provider], credits, round(y, 2), round(h, 2))
            )
        bars.append(
            Bar(
                day,
                round(left + index * slot + slot * 0.15, 3),
                round(slot * 0.7, 3),
                sum(values.values()),
                tuple(segments),
            )
        )

    gridlines = tuple((round(bottom - plot * n / 4, 2), compact(round(scale_top * n / 4))) for n in range(5))
    # A label every week keeps them apart at 390 px; the last day is always labelled (it is "today"), flush
    # with the right edge so it is never cut off.
    last, day_labels = len(days) - 1, []
    for i, day in enumerate(days):
        if (last - i) % 7 == 0:
            label = f"{day:%b} {day.day}"
            day_labels.append(
                (100.0, label, "end") if i == last else (round(left + i * slot + slot / 2, 3), label, "middle")
            )
    legend = tuple((provider_name(p), colours[p], sum(v.get(p, 0) for v in per_day.values())) for p in providers)
    return Chart(tuple(bars), gridlines, tuple(day_labels), legend, height, bottom, left)
