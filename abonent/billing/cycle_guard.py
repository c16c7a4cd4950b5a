"""When a step of the monthly cycle may run: the dates are the organisation's local ones.

Readings close the day after the window's last day (on that day subscribers may still send them); the month is
calculated and published from its last day (its charges are the month's, and a receipt names the payments
"received by" a day that must have come). An operator may run a step earlier only with a written reason, kept on
the run record (who, when, why) and shown in the back office; the daily schedule never does (schedule.py).
The rules are described in docs/BILLING.md.
"""

from __future__ import annotations

import datetime as dt

from abonent.metering.window import readings_close_day
from abonent.orgs.dates import month_end, month_label
from abonent.orgs.models import Organisation

from .errors import BillingError
from .models import BillingPeriod

# A reason is a sentence an auditor can read, not a tick: "срочно" is not one.
REASON_MIN_LENGTH = 10
STEP_LABELS = {
    "close_readings": "закрыть приём показаний",
    "calculate": "рассчитать период",
    "publish": "опубликовать период",
}


class EarlyStepError(BillingError):
    """A step asked for before its day, without a reason: the back office asks the operator for one."""

    def __init__(self, message: str, *, step: str, allowed_from: dt.date):
        super().__init__(message)
        self.step, self.allowed_from = step, allowed_from


def step_allowed_from(organisation: Organisation, month: dt.date, step: str) -> dt.date:
    """The first local day on which `step` of `month` runs without a reason."""
    if step == "close_readings":
        return readings_close_day(organisation, month)
    return month_end(month)


def step_is_noop(period: BillingPeriod, step: str) -> bool:
    """A step already done changes nothing when rerun, so its date does not matter (calculate always rebuilds;
    a published period refuses it with its own message)."""
    if step == "close_readings":
        return period.state != BillingPeriod.State.OPEN
    return period.state == BillingPeriod.State.PUBLISHED


def early_step(period: BillingPeriod, step: str, today: dt.date | None = None) -> EarlyStepError | None:
    """The refusal of `step` on the organisation's local `today`, or None when it is due (or would do nothing)."""
    if step_is_noop(period, step):
        return None
    organisation = period.organisation
    allowed_from = step_allowed_from(organisation, period.month, step)
    today = today or organisation.today()
    if today >= allowed_from:
        return None
    return EarlyStepError(
        f"Рано {STEP_LABELS[step]} за {month_label(period.month)}: по правилам — не раньше "
        f"{allowed_from:%d.%m.%Y} (сегодня {today:%d.%m.%Y}, {organisation.timezone}). "
        f"Досрочно — только с письменной причиной.",
        step=step,
        allowed_from=allowed_from,
    )


def clean_reason(reason: str | None) -> str:
    """The operator's reason for an early step, trimmed; BillingError when it is too short to say anything."""
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN_LENGTH:
        raise BillingError(f"Причина досрочного шага — не короче {REASON_MIN_LENGTH} символов: кто просил и зачем.")
    return reason


def paid_until(period: BillingPeriod, organisation: Organisation | None = None) -> dt.date:
    """The last day whose payments a receipt of `period` counts: the month's end, or the day of publication
    (today while it is a draft) when that came earlier: a receipt never names a day still to come."""
    organisation = organisation or period.organisation
    issued = period.published_at.astimezone(organisation.tz).date() if period.published_at else organisation.today()
    return min(month_end(period.month), issued)
