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


def schedule_run(*, today: dt.date | None = None, organisations=None, progress: Progress | None = None) -> list[str]:
    """For each organisation, what is due on its local today: on the last day of a month its readings close and
    it is calculated; from the receipt issue day of the next month it is published. Missed days catch up."""
    done: list[str] = []
    for org in organisations or Organisation.objects.all():
        local_today = today or org.today()
        previous = add_months(month_start(local_today), -1)
        prev_period = BillingPeriod.objects.filter(organisation=org, month=previous).first()
        target = "publish" if local_today.day >= org.receipt_issue_day else "calculate"
        behind = prev_period is None or rank(prev_period.state) < STEPS.index(target) + 1
        if behind and (prev_period is not None or _has_accounts(org)):
            reached = _run_until(org, previous, target, progress, local_today)
            done.append(f"{org.code} {previous:%Y-%m} → {reached}")
        if local_today == month_end(local_today):
            current = month_start(local_today)
            reached = _run_until(org, current, "calculate", progress, local_today)
            done.append(f"{org.code} {current:%Y-%m} → {reached}")
    return done


def _has_accounts(org: Organisation) -> bool:
    return PersonalAccount.objects.filter(organisation=org).exists()


def _run_until(org: Organisation, month: dt.date, last_step: str, progress, today: dt.date) -> str:
    """Run the steps up to `last_step` that are due; returns the last one run ("—" for none)."""
    period, _ = BillingPeriod.objects.get_or_create(organisation=org, month=month)
    reached = "—"
    for name in STEPS[: STEPS.index(last_step) + 1]:
        if early_step(period, name, today):
            break  # e.g. a window that ends on the month's last day: its readings close tomorrow
        period = period_close(organisation=org, month=month, step=name, progress=progress)
        reached = name
    return reached
