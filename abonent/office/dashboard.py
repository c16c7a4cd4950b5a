"""The month at a glance: where the period is and what comes next, readings so far against last month, money
received and the collection rate, the debt, the appeals waiting. A fixed number of queries for any city."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone

from abonent.billing import cycle_guard
from abonent.billing.models import BillingPeriod, PeriodRun
from abonent.metering.models import Meter, Reading, ReadingMonth
from abonent.orgs.dates import add_months, month_start
from abonent.support.models import Appeal

from . import chart, money

STATE = BillingPeriod.State
NEXT_STEP = {STATE.OPEN: "close_readings", STATE.READINGS_CLOSED: "calculate", STATE.CALCULATED: "publish"}
# An appeal unanswered longer than this is overdue: ПП 416 п.36 gives ten working days for an answer; counted
# here in calendar days, so the office warns a little early rather than late.
OVERDUE_DAYS = 10
CHANNELS = [c for c in Reading.Channel if c != Reading.Channel.ESTIMATE]


@dataclass
class PeriodState:
    month: dt.date
    state_label: str
    next_step: str | None
    next_label: str | None
    next_from: dt.date | None


@dataclass
class ReadingsSoFar:
    month: dt.date
    meters: int
    received: int
    last_month_received: int
    by_channel: list[tuple[str, int, int]] = field(default_factory=list)  # label, this month, last month

    @property
    def share(self):
        return round(100 * self.received / self.meters, 1) if self.meters else None

    @property
    def last_share(self):
        return round(100 * self.last_month_received / self.meters, 1) if self.meters else None


def period_state(organisation, today: dt.date) -> PeriodState:
    period = (
        BillingPeriod.objects.filter(organisation=organisation).exclude(state=STATE.PUBLISHED).order_by("month").first()
    )
    if period is None:  # every month published: the next one opens with the first reading
        last = money.last_published(organisation)
        month = add_months(last.month, 1) if last else month_start(today)
        step, state_label = "close_readings", "Ещё не открыт: откроется с первым показанием"
    else:
        month, step, state_label = period.month, NEXT_STEP[period.state], period.get_state_display()
    return PeriodState(
        month=month,
        state_label=state_label,
        next_step=step,
        next_label=cycle_guard.STEP_LABELS[step].capitalize(),
        next_from=cycle_guard.step_allowed_from(organisation, month, step),
    )


def meters_of(organisation):
    return Meter.objects.filter(
        Q(premises__building__organisation=organisation) | Q(building__organisation=organisation),
        status=Meter.Status.ACTIVE,
    )


# A meter is in a flat or on a house: two plain joins each, added up, rather than one query with an OR across
# two outer joins (which the database can only answer by reading every meter of every organisation).
ROADS = ("premises__building__organisation", "building__organisation")


def _readings_by_channel(organisation, month: dt.date) -> dict[str, int]:
    """Meters with a current reading of the month (not an estimate, not rejected), by channel; under "" the
    active meters. One query per road: each meter joined to at most its one current reading of the month."""
    cells: dict[str, int] = {}
    wanted = Q(readings__period=month, readings__is_current=True) & ~Q(readings__channel=Reading.Channel.ESTIMATE)
    wanted &= ~Q(readings__status=Reading.Status.REJECTED)
    for road in ROADS:
        if not Meter.objects.filter(**{road: organisation}).exists():
            continue  # most organisations have no house meters: no query over them
        counts = (
            Meter.objects.filter(**{road: organisation}, status=Meter.Status.ACTIVE)
            .annotate(sent=FilteredRelation("readings", condition=wanted))
            .aggregate(_all=Count("id"), **{c.value: Count("sent__id", filter=Q(sent__channel=c.value)) for c in CHANNELS})
        )  # fmt: skip
        for channel, n in counts.items():
            cells[channel] = cells.get(channel, 0) + n
    return cells


def _closed_month_readings(organisation, month: dt.date) -> dict[str, int]:
    """A month whose readings are closed takes no more (metering.window): its counts are cached with its closing."""
    closed = ReadingMonth.objects.filter(organisation=organisation, month=month).values_list("closed_at", flat=True)
    closed = closed.first()
    if closed is None:
        return _readings_by_channel(organisation, month)
    key = f"office:readings:{organisation.pk}:{month:%Y-%m}:{closed.timestamp()}"
    return cache.get_or_set(key, lambda: _readings_by_channel(organisation, month), 24 * 3600)


def readings_so_far(organisation, month: dt.date) -> ReadingsSoFar:
    now = _readings_by_channel(organisation, month)
    meters = now.pop("_all", 0)
    before = {k: v for k, v in _closed_month_readings(organisation, add_months(month, -1)).items() if k != "_all"}
    by_channel = [(c.label, now.get(c.value, 0), before.get(c.value, 0)) for c in CHANNELS]
    return ReadingsSoFar(
        month=month,
        meters=meters,
        received=sum(now.values()),
        last_month_received=sum(before.values()),
        by_channel=by_channel,
    )


def appeals_waiting(organisation) -> tuple[int, int]:
    """(open, overdue): new or in work; overdue when it has waited more than OVERDUE_DAYS."""
    open_ = Appeal.objects.filter(organisation=organisation, status__in=(Appeal.Status.NEW, Appeal.Status.IN_PROGRESS))
    overdue_since = timezone.now() - dt.timedelta(days=OVERDUE_DAYS)
    counts = open_.aggregate(open=Count("id"), overdue=Count("id", filter=Q(created_at__lt=overdue_since)))
    return counts["open"], counts["overdue"]


def runs(organisation, limit: int = 5):
    """The last runs of the monthly cycle: running, done or failed (the jobs of the close)."""
    return (
        PeriodRun.objects.filter(period__organisation=organisation)
        .select_related("period")
        .order_by("-started_at")[:limit]
    )


def _period(organisation, month: dt.date) -> BillingPeriod | None:
    return BillingPeriod.objects.filter(organisation=organisation, month=month).first()


def dashboard(organisation) -> dict:
    today = organisation.today()
    this_month = month_start(today)
    state = period_state(organisation, today)
    last = money.last_published(organisation)
    year = money.months_money(organisation, last.month) if last else []
    debt, debtors = money.total_debt(organisation)
    open_appeals, overdue = appeals_waiting(organisation)
    previous = add_months(this_month, -1)
    return {
        "today": today,
        "period": state,
        "readings": readings_so_far(organisation, state.month),
        "paid_this_month": money.paid_in(_period(organisation, this_month)),
        "paid_last_month": money.paid_in(_period(organisation, previous)),
        "year": year,
        "chart": chart.collection_chart(year),
        "debt": debt,
        "debtors": debtors,
        "appeals_open": open_appeals,
        "appeals_overdue": overdue,
        "overdue_days": OVERDUE_DAYS,
        "runs": runs(organisation),
    }
