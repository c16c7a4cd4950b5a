"""The monthly cycle as a guided page: each step of the period with its guard (the day it may run without a
reason), what has run (PeriodRun), and after calculate the draft review (billing.draft_review).

`run_step` is the one place the office starts a step: it answers at once what needs no work (an unknown step,
a step before its day without a written reason) and queues the step as a job (billing.tasks.close_start, the
same job the admin starts; a city's close takes longer than a web request may last). The page shows the
period's jobs with their live progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from abonent.billing import cycle as billing_cycle
from abonent.billing import cycle_guard
from abonent.billing.draft_review import draft_review
from abonent.billing.models import BillingPeriod, PeriodRun
from abonent.billing.tasks import CLOSE, close_start

from . import jobs
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


def recent_jobs(organisation, user, role: str) -> list[dict]:
    """The latest steps' jobs of any month: the one just published stays in sight after its period closes."""
    return [jobs.context(j, role) for j in jobs.of_office(user, organisation).filter(kind=CLOSE)[:5]]


def page(organisation, user, role: str) -> dict:
    period = current_period(organisation)
    if period is None:
        return {"period": None, "jobs": recent_jobs(organisation, user, role)}
    return {
        "period": period,
        "steps": steps(period),
        "review": draft_review(period) if period.state == STATE.CALCULATED else None,
        "runs": PeriodRun.objects.filter(period=period).select_related("started_by").order_by("-started_at")[:10],
        "jobs": recent_jobs(organisation, user, role),
    }


def run_step(*, organisation, operator, period: BillingPeriod, step: str, reason: str | None):
    """Queue one step of the period and return its job. An early step without a reason raises
    cycle_guard.EarlyStepError, a reason too short billing's error; what the step itself refuses is on the job's
    page."""
    early = cycle_guard.early_step(period, step)
    if early is not None and not reason:
        raise early
    reason = cycle_guard.clean_reason(reason) if early is not None else None
    job = close_start(period=period, step=step, actor=operator, reason=reason)
    log(organisation=organisation, actor=operator, kind="cycle_step",
        details=f"{period}: {cycle_guard.STEP_LABELS[step]}" + (f" (досрочно: {reason})" if reason else ""))  # fmt: skip
    return job
