"""Пени (ЖК РФ ст.155 ч.14): when a charge falls due, which debt accrues, and the arithmetic.

A period's charges fall due in the following month (the 10th before March 2026, then the organisation's day,
the 15th by default), moved to the next working day when that is a day off (ГК РФ ст.193, billing/workdays.py).
From the 31st day of delay the debt accrues 1/300 of the rate a day, from the 91st day 1/130, at the rate in force
on the day of payment (for a debt still unpaid, on the day of calculation) for every day; the days of a moratorium
accrue nothing. A rate the table does not have stops the close (MissingRate), never a silent zero. Payments settle
the oldest debt first. Each period charges
what accrued up to its last day less what was charged before, so a late-posted payment corrects itself. The
rules, with worked examples, are in docs/BILLING.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from abonent.lib.bulk import BATCH
from abonent.lib.numbers import money
from abonent.orgs.dates import add_months, month_end
from abonent.orgs.models import Organisation

from .calculations import round_money
from .errors import BillingError
from .ledger import account_sums
from .models import AccountBalance, BillingPeriod, LedgerEntry, Penalty, PenaltyRate
from .workdays import WorkCalendar, work_calendar

ZERO = Decimal("0")
# The day a period's charges fell due until the law changed (ЖК РФ ст.155 ч.1 as amended from 01.03.2026).
DUE_DAY_BEFORE_2026_03 = 10
DUE_DAY_CHANGED = dt.date(2026, 3, 1)


def due_date(organisation: Organisation, period_month: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    """The day a period's charges are due: in the following month (ЖК РФ ст.155 ч.1), on a non-working day moved
    to the next working day (ГК РФ ст.193). Pass the organisation's `calendar` when asking for many months."""
    following = month_end(period_month) + dt.timedelta(days=1)
    # Before March 2026 the law said the 10th; the organisation's setting applies from then on.
    day = DUE_DAY_BEFORE_2026_03 if following < DUE_DAY_CHANGED else organisation.payment_due_day
    nominal = following.replace(day=min(day, month_end(following).day))
    return (calendar or work_calendar(organisation)).next_working_day(nominal)


# --- the arithmetic: values in, values out ---


@dataclass(frozen=True)
class Rate:
    valid_from: dt.date
    valid_to: dt.date | None
    rate: Decimal  # % a year
    moratorium: bool = False

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class MissingRate(Exception):
    """The rate table has no rate for a day a penalty needs one (the day of payment or of calculation)."""

    def __init__(self, *days: dt.date):
        super().__init__("Нет ставки для пеней на " + ", ".join(f"{d:%d.%m.%Y}" for d in sorted(days)) + ".")
        self.days = set(days)


def rate_on(day: dt.date, rates: Iterable[Rate]) -> Decimal:
    """The rate in force on `day` (% a year). A moratorium row's rate is the one for a payment made during it (zero:
    not known). Raises MissingRate where the table has none: a silent zero would lose the subscriber's penalty
    for the organisation, or the organisation's for the subscriber."""
    for rate in rates:
        if rate.covers(day):
            if rate.rate > 0:
                return rate.rate
            break
    raise MissingRate(day)


def days_accruing(first: dt.date, last: dt.date, rates: Iterable[Rate]) -> int:
    """The days from `first` to `last` (inclusive) outside every moratorium (rows never overlap)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    for rate in rates:
        if rate.moratorium:
            start, end = max(first, rate.valid_from), min(last, rate.valid_to or last)
            if start <= end:
                days -= (end - start).days + 1
    return days


def penalty_unrounded(debt: Decimal, due_date: dt.date, paid_on: dt.date, rates: Sequence[Rate]) -> Decimal:
    """Penalty on `debt` due on `due_date` and paid on `paid_on` (the payment day counts): day t from the day after
    the due date; days 31–90 at rate/300 a day, from day 91 at rate/130. Every day is at the rate in force on
    `paid_on` (ЖК РФ ст.155 ч.14; for a debt still unpaid `paid_on` is the day of calculation); the days of a
    moratorium accrue nothing. Raises MissingRate when a day accrues and the table has no rate for `paid_on`."""
    days = (paid_on - due_date).days
    if debt <= 0 or days < 31:
        return ZERO
    on = lambda t: due_date + dt.timedelta(days=t)  # noqa: E731 — day t of the delay
    at_300 = days_accruing(on(31), on(min(days, 90)), rates)
    at_130 = days_accruing(on(91), on(days), rates)
    if not (at_300 or at_130):
        return ZERO
    rate = rate_on(paid_on, rates) / 100
    return debt * rate / 300 * at_300 + debt * rate / 130 * at_130


def penalty_amount(debt: Decimal, due_date: dt.date, paid_on: dt.date, rates: Sequence[Rate]) -> Decimal:
    """The worked example of docs/BILLING.md: 1000 ₽ due 10.02.2025 paid 20.05.2025 at 9.5 % → 19.00 + 6.58 = 25.58."""
    return round_money(penalty_unrounded(debt, due_date, paid_on, rates))


@dataclass(frozen=True)
class Debt:
    key: object  # what the debt is for (a period)
    due_date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Settlement:
    key: object
    due_date: dt.date
    amount: Decimal
    paid_on: dt.date | None  # None: still owed


def allocate_payment(debts: Sequence[Debt], payments: Sequence[tuple[dt.date, Decimal]]) -> list[Settlement]:
    """Payments settle the oldest debt first: the debts split into the parts each payment settled (paid_on) and
    what is still owed (paid_on None). Debts in due-date order, payments in date order; what a payment has left
    after every debt is an advance and is not returned here."""
    settlements: list[Settlement] = []
    queue = [(d.key, d.due_date, d.amount) for d in sorted(debts, key=lambda d: d.due_date) if d.amount > 0]
    for paid_on, amount in sorted(payments, key=lambda p: p[0]):
        left = amount
        while left > 0 and queue:
            key, due, owed = queue[0]
            part = min(owed, left)
            settlements.append(Settlement(key, due, part, paid_on))
            left -= part
            if part == owed:
                queue.pop(0)
            else:
                queue[0] = (key, due, owed - part)
    settlements.extend(Settlement(key, due, owed, None) for key, due, owed in queue)
    return settlements


def penalties_accrued(
    debts: Sequence[Debt], payments: Sequence[tuple[dt.date, Decimal]], as_of: dt.date, rates: Sequence[Rate]
) -> tuple[Decimal, list[str]]:
    """All penalty accrued up to `as_of` (inclusive) on the debts after the payments made by then, and the
    explanation lines. Payments after `as_of` are ignored: they cannot shorten a delay that has happened."""
    settled = allocate_payment(debts, [(day, amount) for day, amount in payments if day <= as_of])
    total = ZERO
    lines: list[str] = []
    missing: set[dt.date] = set()
    for part in settled:
        until = part.paid_on or as_of
        try:
            value = penalty_unrounded(part.amount, part.due_date, until, rates)
        except MissingRate as exc:
            missing |= exc.days
            continue
        if value:
            total += value
            days = (until - part.due_date).days
            lines.append(
                f"{money(part.amount)}, срок оплаты {part.due_date:%d.%m.%Y}, {days} дн. "
                f"по {until:%d.%m.%Y}: {money(round_money(value))}"
            )
    if missing:
        raise MissingRate(*missing)
    return round_money(total), lines


# --- a period's penalties, from the register ---


def rates() -> list[Rate]:
    """The rate table (PenaltyRate), oldest first."""
    return [Rate(r.valid_from, r.valid_to, r.rate, r.moratorium) for r in PenaltyRate.objects.order_by("valid_from")]


def period_penalties(period: BillingPeriod, earlier: BillingPeriod | None) -> list[Penalty]:
    """Penalties accrued up to the period's last day on debt of earlier periods, less those charged before."""
    if earlier is None:
        return []
    debtors = _debtors(period, earlier)
    if not debtors:
        return []
    table = rates()
    due = _due_dates(period.organisation)
    penalties: list[Penalty] = []
    missing: set[dt.date] = set()
    for start in range(0, len(debtors), BATCH):
        penalties += _chunk_penalties(period, debtors[start : start + BATCH], table, due, missing)
    if missing:
        raise BillingError(missing_rates_message(missing, table))
    return penalties


def missing_rates_message(missing: set[dt.date], table: Sequence[Rate]) -> str:
    """What the operator reads when the close stops for want of a rate: the days, and where the table ends."""
    days = sorted(missing)
    named = ", ".join(f"{d:%d.%m.%Y}" for d in days[:5]) + (f" и ещё {len(days) - 5}" if len(days) > 5 else "")
    ends = table_end(table)
    end = f" Таблица ставок заканчивается {ends:%d.%m.%Y}." if ends else ""
    return (
        f"Нет ставки для пеней на {named}: пени на эти дни не рассчитать.{end} Добавьте ставку в «Ставки для "
        f"пеней» и повторите расчёт; период не рассчитан."
    )


def table_end(table: Sequence[Rate]) -> dt.date | None:
    """The last day the table has a rate for; None if a row is open-ended or the table is empty."""
    if not table or any(r.valid_to is None for r in table):
        return None
    return max(r.valid_to for r in table)


def rate_table_warning(today: dt.date) -> str | None:
    """What the back office says when the rate table ends within a month of `today` (or has ended): a close that
    needs a later rate would stop, so operators add it before then."""
    ends = table_end(rates())
    if ends is None or add_months(today, 1) <= ends:
        return None
    following = ends + dt.timedelta(days=1)
    if ends < today:
        return (
            f"Таблица ставок для пеней закончилась {ends:%d.%m.%Y}: расчёт периода, которому нужна ставка с "
            f"{following:%d.%m.%Y}, остановится. Добавьте ставку в «Ставки для пеней»."
        )
    return (
        f"Таблица ставок для пеней заканчивается {ends:%d.%m.%Y}: добавьте ставку с {following:%d.%m.%Y}, иначе "
        f"расчёт периода, которому она нужна, остановится."
    )


def _due_dates(organisation: Organisation):
    """due_date for many months of one organisation: the calendar read once, each month computed once."""
    calendar = work_calendar(organisation)
    known: dict[dt.date, dt.date] = {}

    def due(month: dt.date) -> dt.date:
        if month not in known:
            known[month] = due_date(organisation, month, calendar)
        return known[month]

    return due


def _debtors(period: BillingPeriod, earlier: BillingPeriod) -> list[int]:
    """The accounts that may accrue: only those that owed something at the end of the previous period (a debt
    settled by then stopped accruing, and its penalty was charged in the periods it accrued in)."""
    last = AccountBalance.objects.filter(period=earlier, closing__gt=0)
    # The previous period's own charges fall due during this month (the 10th or 15th): their day 31 is next
    # month's. So only debt older than that can accrue now: what was owed before the previous period, less what
    # was paid in it (payments settle the oldest debt first).
    before = (
        BillingPeriod.objects.filter(organisation=period.organisation, month__lt=earlier.month)
        .order_by("-month")
        .first()
    )
    if before is None:
        debtors = list(last.filter(opening__gt=0).values_list("account_id", flat=True))
    else:
        old = dict(AccountBalance.objects.filter(period=before, closing__gt=0).values_list("account_id", "closing"))
        debtors = [a for a, paid in last.values_list("account_id", "paid") if old.get(a, ZERO) > paid] if old else []
    # A payment cancelled since brings its debt back, whatever the balances said.
    cancelled = LedgerEntry.objects.filter(
        period__in=[earlier, period], kind=LedgerEntry.Kind.PAYMENT, amount__lt=0
    ).values_list("account_id", flat=True)
    return sorted(set(debtors) | set(cancelled))


def _chunk_penalties(period: BillingPeriod, chunk: list[int], table: list[Rate], due, missing: set) -> list[Penalty]:
    as_of = month_end(period.month)
    debts, credits = _debts_and_credits(period, chunk, due)
    payments = _payments(chunk, as_of)
    charged_before = account_sums(Penalty.objects.filter(account_id__in=chunk, period__month__lt=period.month))
    penalties = []
    for account_id in chunk:
        try:
            total, lines = penalties_accrued(
                debts.get(account_id, []), credits.get(account_id, []) + payments.get(account_id, []), as_of, table
            )
        except MissingRate as exc:  # every account is looked at, so the message names every day that lacks one
            missing |= exc.days
            continue
        amount = total - (charged_before.get(account_id) or ZERO)
        if amount:
            basis = "\n".join([*lines, f"Начислено ранее: {money(charged_before.get(account_id) or ZERO)}"])
            penalties.append(Penalty(account_id=account_id, period=period, amount=amount, basis=basis))
    return penalties


Dated = dict[int, list[tuple[dt.date, Decimal]]]


def _debts_and_credits(period: BillingPeriod, chunk: list[int], due) -> tuple[dict[int, list[Debt]], Dated]:
    """Each account's charges of earlier periods (with recalculations) as debts due on their due date, and what
    was negative (a recalculation in the subscriber's favour, an advance brought in) as credits of its month."""
    org = period.organisation
    debts: dict[int, list[Debt]] = defaultdict(list)
    credits: Dated = defaultdict(list)
    first_seen: set[int] = set()
    for row in (
        AccountBalance.objects.filter(account_id__in=chunk, period__organisation=org, period__month__lt=period.month)
        .order_by("period__month")
        .values("account_id", "period__month", "opening", "charged", "recalculated")
    ):
        account_id, p_month = row["account_id"], row["period__month"]
        if account_id not in first_seen:
            first_seen.add(account_id)
            # A balance brought in from before the engine's history: due as if it were the month before.
            if row["opening"] > 0:
                before = add_months(p_month, -1)
                debts[account_id].append(Debt(before, due(before), row["opening"]))
            elif row["opening"] < 0:
                credits[account_id].append((p_month, -row["opening"]))
        amount = row["charged"] + row["recalculated"]
        if amount > 0:
            debts[account_id].append(Debt(p_month, due(p_month), amount))
        elif amount < 0:
            credits[account_id].append((p_month, -amount))
    return debts, credits


def _payments(chunk: list[int], as_of: dt.date) -> Dated:
    """The accounts' payments made by `as_of`, by their day."""
    payments: Dated = defaultdict(list)
    rows = list(
        LedgerEntry.objects.filter(
            account_id__in=chunk, kind=LedgerEntry.Kind.PAYMENT, occurred_on__lte=as_of
        ).values_list("account_id", "occurred_on", "amount", "source", "source_id")
    )
    # A cancelled payment (a negative entry "cancel:<id>") never settled anything: both are left out.
    cancelled = {(src, sid.removeprefix("cancel:")) for _, _, amount, src, sid in rows if amount < 0}
    for account_id, day, amount, src, sid in rows:
        if amount > 0 and (src, sid) not in cancelled:
            payments[account_id].append((day, amount))
    return payments
