"""The month at a glance: where the period is and what comes next, readings so far against last month, money
received and the collection rate, the debt, the appeals waiting. A fixed number of queries for any city."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from abonent.billing import cycle_guard
from abonent.billing.models import BillingPeriod, PeriodRun
from abonent.metering import tally
from abonent.metering.models import Meter, Reading
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


def readings_so_far(organisation, month: dt.date) -> ReadingsSoFar:
    """The readings counted in the month and the month before, by channel, and the active meters: metering's
    counters, kept by the writes themselves (metering.tally), so nothing is counted here for any city size."""
    now = tally.tally_of(organisation, month)
    before = tally.tally_of(organisation, add_months(month, -1))
    return ReadingsSoFar(
        month=month,
        meters=tally.active_meters(organisation),
        received=sum(now.get(c.value, 0) for c in CHANNELS),
        last_month_received=sum(before.get(c.value, 0) for c in CHANNELS),
        by_channel=[(c.label, now.get(c.value, 0), before.get(c.value, 0)) for c in CHANNELS],
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
