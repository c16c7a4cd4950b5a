"""The schedule: what each organisation's close has due on its local today (run_schedule, the daily task).

It never runs a step before its day (cycle_guard): an early step needs an operator's reason, and a schedule has
none; a step not yet due waits for a later run (missed days catch up)."""

from __future__ import annotations

import datetime as dt

from abonent.housing.models import PersonalAccount
from abonent.orgs.dates import add_months, month_end, month_start
from abonent.orgs.models import Organisation

from .cycle import STEPS, period_close, rank
from .cycle_guard import early_step
from .engine import Progress
from .models import BillingPeriod


def schedule_due(*, today: dt.date | None = None, organisations=None) -> list[tuple[Organisation, dt.date, str]]:
    """What is due, in order, as (organisation, month, last step): on the last day of a month its readings close
    and it is calculated; from the receipt issue day of the next month it is published. Missed days catch up."""
    due = []
    for org in organisations or Organisation.objects.all():
        local_today = today or org.today()
        previous = add_months(month_start(local_today), -1)
        prev_period = BillingPeriod.objects.filter(organisation=org, month=previous).first()
        target = "publish" if local_today.day >= org.receipt_issue_day else "calculate"
        behind = prev_period is None or rank(prev_period.state) < STEPS.index(target) + 1
        if behind and (prev_period is not None or _has_accounts(org)) and _startable(org, previous, local_today):
            due.append((org, previous, target))
        if local_today == month_end(local_today):
            current = month_start(local_today)
            if _startable(org, current, local_today, until="calculate"):
                due.append((org, current, "calculate"))
    return due


def _startable(org: Organisation, month: dt.date, today: dt.date, until: str = "publish") -> bool:
    """Whether the month's next step up to `until` may run today: a job that would only wait is not started (the
    hourly schedule would fill the list of jobs with empty ones)."""
    period = BillingPeriod.objects.filter(organisation=org, month=month).first() or BillingPeriod(
        organisation=org, month=month
    )
    done = rank(period.state)
    if done >= STEPS.index(until) + 1:
        return False
    return early_step(period, STEPS[done], today) is None


def schedule_run(*, today: dt.date | None = None, organisations=None, progress: Progress | None = None) -> list[str]:
    """Run what is due here, one organisation after another (the schedule's jobs run it by organisation)."""
    done: list[str] = []
    for org, month, last_step in schedule_due(today=today, organisations=organisations):
        reached = run_until(org, month, last_step, progress, today or org.today())
        done.append(f"{org.code} {month:%Y-%m} → {reached}")
    return done


def _has_accounts(org: Organisation) -> bool:
    return PersonalAccount.objects.filter(organisation=org).exists()


def run_until(org: Organisation, month: dt.date, last_step: str, progress, today: dt.date) -> str:
    """Run the steps up to `last_step` that are due; returns the last one run ("—" for none)."""
    period, _ = BillingPeriod.objects.get_or_create(organisation=org, month=month)
    reached = "—"
    for name in STEPS[: STEPS.index(last_step) + 1]:
        if early_step(period, name, today):
            break  # e.g. a window that ends on the month's last day: its readings close tomorrow
        period = period_close(organisation=org, month=month, step=name, progress=progress)
        reached = name
    return reached
