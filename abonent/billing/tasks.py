"""Celery entry points and billing's background jobs: each step of the month's close (and "all remaining steps")
runs as a job of abonent.jobs, started from the back office (admin_periods) or the schedule, never inside a web
request (a city's close takes longer than any proxy waits)."""

import datetime as dt

from celery import shared_task
from django.urls import reverse

from abonent.jobs import registry
from abonent.jobs.foreground import start_here
from abonent.jobs.services import start_job
from abonent.orgs.dates import month_label

from . import cycle, schedule
from .errors import BillingError
from .models import BillingPeriod

CLOSE = "billing.close"
STEP_LABELS = {
    "close_readings": "закрытие приёма показаний",
    "calculate": "расчёт",
    "publish": "публикация",
    "all": "все оставшиеся шаги",
}


SCHEDULE = "billing.schedule"


@shared_task(name="abonent.billing.tasks.run_schedule")
def run_schedule() -> list[int]:
    """Beat's hourly start: what is due today, as one job per organisation (its steps in order, with progress,
    in the list of jobs; started by «расписание»). The same work still under way is not started twice."""
    return [job.pk for job in schedule_start()]


def schedule_start(*, today=None, send: bool = True) -> list:
    by_org: dict = {}
    for org, month, last_step in schedule.schedule_due(today=today):
        by_org.setdefault(org, []).append([month.isoformat(), last_step])
    jobs = []
    for org, steps in by_org.items():
        params = {"steps": steps, "today": (today or org.today()).isoformat()}
        jobs.append(start_job(kind=SCHEDULE, organisation=org, params=params, send=send))
    return jobs


def _schedule_run(job, progress) -> dict:
    today = dt.date.fromisoformat(job.params["today"])
    reached = []
    for month_text, last_step in job.params["steps"]:
        month = dt.date.fromisoformat(month_text)
        progress.phase(f"{month_label(month)}: до шага «{STEP_LABELS[last_step]}»")
        step = schedule.run_until(job.organisation, month, last_step, progress, today)
        reached.append(f"{month_label(month)}: {STEP_LABELS.get(step, 'ничего не положено')}")
    return {"_notes": reached}


def _schedule_describe(params: dict) -> str:
    steps = params.get("steps", [])
    return "; ".join(f"{month_label(dt.date.fromisoformat(m))} до шага «{STEP_LABELS[s]}»" for m, s in steps)


def close_start(*, period: BillingPeriod, step: str | None, actor=None, reason: str | None = None, here: bool = False):
    """Queue a step of the period's close (None: every step not yet done); the same step of the same period
    already queued or running is returned instead of a second one. `here`: a new job for this process to run
    (a command in the foreground; foreground.AlreadyStarted if the same one is under way)."""
    step = step or "all"
    params = {"period": period.pk, "step": step, "reason": reason, "label": f"{period}"}
    start = {"kind": CLOSE, "organisation": period.organisation_id, "params": params, "actor": actor}
    if here:
        return start_here(**start, key=f"{CLOSE}:{period.pk}:{step}")
    return start_job(**start, key=f"{CLOSE}:{period.pk}:{step}")


def _close_run(job, progress) -> dict:
    period = BillingPeriod.objects.select_related("organisation").get(
        pk=job.params["period"], organisation_id=job.organisation_id
    )
    step = job.params.get("step", "all")
    todo = (
        [step]
        if step in cycle.STEPS
        else [s for s in cycle.STEPS if cycle.rank(period.state) < cycle.STEPS.index(s) + 1]
    )
    for name in todo:
        progress.phase(STEP_LABELS[name])
        period = cycle.period_close(
            organisation=period.organisation,
            month=period.month,
            step=name,
            actor=job.started_by,
            force_reason=job.params.get("reason"),
            progress=progress,
        )
    return {"state": period.get_state_display(), "period": month_label(period.month), "_state": period.state}


def _close_links(job) -> list[tuple[str, str]]:
    if job.result.get("_state") != BillingPeriod.State.CALCULATED:
        return []
    review = reverse("admin:billing_billingperiod_review", args=[job.params["period"]])
    return [("Проверьте черновик перед публикацией: сверка с прошлым месяцем", review)]


def _close_describe(params: dict) -> str:
    return f"{params.get('label', '')}: {STEP_LABELS.get(params.get('step'), params.get('step'))}"


registry.register(
    registry.Kind(
        name=CLOSE,
        label="Закрытие месяца",
        run=_close_run,
        user_errors=(BillingError,),
        describe=_close_describe,
        links=_close_links,
    )
)
registry.register(
    registry.Kind(
        name=SCHEDULE,
        label="Закрытие месяца по расписанию",
        run=_schedule_run,
        user_errors=(BillingError,),
        describe=_schedule_describe,
    )
)
