"""The monthly cycle as a guided page: each step of the period with its guard (the day it may run without a
reason), what has run (PeriodRun), and after calculate the draft review (billing.draft_review).

The seam for background jobs: `run_step` is the one place the office starts a step. Today it calls
billing.cycle.period_close in the request (the step is one transaction; a city's close takes a minute or more).
When the steps become jobs, `run_step` enqueues the job instead and the page shows its progress from the run
record it writes; nothing else in the office changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from abonent.billing import cycle as billing_cycle
from abonent.billing import cycle_guard
from abonent.billing.draft_review import draft_review
from abonent.billing.models import BillingPeriod, PeriodRun

from .services import log

STATE = BillingPeriod.State


@dataclass
class Step:
    name: str
    label: str
    done: bool
    allowed_from: dt.date
    early: bool  # today is before its day: it runs only with a written reason
    next: bool  # the step to do now


def current_period(organisation) -> BillingPeriod | None:
    return (
        BillingPeriod.objects.filter(organisation=organisation).exclude(state=STATE.PUBLISHED).order_by("month").first()
    )


def steps(period: BillingPeriod) -> list[Step]:
    today = period.organisation.today()
    rank = billing_cycle.rank(period.state)
    out = []
    for number, name in enumerate(billing_cycle.STEPS, start=1):
        allowed = cycle_guard.step_allowed_from(period.organisation, period.month, name)
        out.append(Step(name, cycle_guard.STEP_LABELS[name].capitalize(), rank >= number, allowed, today < allowed,
                        rank == number - 1))  # fmt: skip
    return out


def page(organisation) -> dict:
    period = current_period(organisation)
    if period is None:
        return {"period": None}
    return {
        "period": period,
        "steps": steps(period),
        "review": draft_review(period) if period.state == STATE.CALCULATED else None,
        "runs": PeriodRun.objects.filter(period=period).select_related("started_by").order_by("-started_at")[:10],
    }


def run_step(*, organisation, operator, period: BillingPeriod, step: str, reason: str | None) -> BillingPeriod:
    """Start one step of the period (the seam for background jobs, see the module's docstring). An early step
    without a reason raises cycle_guard.EarlyStepError; a step that fails raises billing's error."""
    done = billing_cycle.period_close(
        organisation=organisation, month=period.month, step=step, actor=operator, force_reason=reason or None
    )
    log(organisation=organisation, actor=operator, kind="cycle_step",
        details=f"{done}: {cycle_guard.STEP_LABELS[step]}" + (f" (досрочно: {reason})" if reason else ""))  # fmt: skip
    return done
