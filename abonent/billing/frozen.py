"""Published means frozen: a published period's charges, balances and receipts never change.

A fact that arrives after its month was published (a bank registry's payment dated in November, found in
December; a cancellation) is posted in the open period, the earliest one not yet published, keeping its own
date: penalties count from the day it was really paid (LedgerEntry.occurred_on). A correction of a published
month is a recalculation booked in the open period with its reason (recalculations.py).
"""

from __future__ import annotations

import datetime as dt

from abonent.orgs.dates import add_months, month_label, month_start

from .errors import BillingError
from .models import BillingPeriod

PUBLISHED = BillingPeriod.State.PUBLISHED
CALCULATED = BillingPeriod.State.CALCULATED


def posting_period(organisation_id: int, day: dt.date) -> BillingPeriod:
    """The period a fact dated `day` is posted in: the day's month unless it is published, else the first later
    month not published. Call inside a transaction: a calculated period is locked first, so a publish running
    now either finished (the fact goes to the next month) or has not started (it will include the fact)."""
    month = month_start(day)
    while True:
        period, _ = BillingPeriod.objects.get_or_create(organisation_id=organisation_id, month=month)
        if period.state == CALCULATED:  # only a calculated period can become published under our feet
            period = BillingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.state != PUBLISHED:
            return period
        month = add_months(month, 1)


def refuse_published(period: BillingPeriod) -> None:
    """The guard of every write of balances or ledger entries: a published period is never written again."""
    if period.state == PUBLISHED:
        raise BillingError(
            f"Период {month_label(period.month)} опубликован, квитанции выпущены: его начисления, сальдо и проводки "
            "не меняются. Поздние платежи учитываются в открытом периоде, исправления — перерасчётом."
        )
