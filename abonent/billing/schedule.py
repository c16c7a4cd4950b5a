"""The schedule: what each organisation's close has due on its local today (run_schedule, the daily task)."""

from __future__ import annotations

import datetime as dt

from abonent.housing.models import PersonalAccount
from abonent.orgs.dates import add_months, month_end, month_start
from abonent.orgs.models import Organisation

from .cycle import STEPS, period_close, rank
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
            _run_until(org, previous, target, progress)
            done.append(f"{org.code} {previous:%Y-%m} → {target}")
        if local_today == month_end(local_today):
            current = month_start(local_today)
            _run_until(org, current, "calculate", progress)
            done.append(f"{org.code} {current:%Y-%m} → calculate")
    return done


def _has_accounts(org: Organisation) -> bool:
    return PersonalAccount.objects.filter(organisation=org).exists()


def _run_until(org: Organisation, month: dt.date, last_step: str, progress) -> None:
    for name in STEPS[: STEPS.index(last_step) + 1]:
        period_close(organisation=org, month=month, step=name, progress=progress)
