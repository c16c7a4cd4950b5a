"""A year of billing history for the demo, made by the billing engine itself.

For each demo organisation and each of the 12 months before its current one: readings are generated for most
meters (some months are skipped, so the average, the норматив and the recalculation by a late reading all show
up), the month is closed with `period_close` (readings accepted, charges, penalties, balances, published), and
most subscribers pay the month's bill after it, some late, some not at all. Every figure the demo shows is
therefore the engine's own. The payments are taken at the cash desk through `payments.services`, so they are
Payment rows credited to the ledger by the real path (and "Добавить лицевой счёт" can be proven by one).
Random numbers come from the step's own generator: same data every run.

`seed_demo` runs this as its last step (`--months N` for a shorter history); `seed_history` builds it for a
database seeded before the step existed.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from abonent.billing import cycle
from abonent.billing.models import AccountBalance, PenaltyRate
from abonent.billing.penalties import due_date, rates, table_end
from abonent.housing.models import PersonalAccount
from abonent.metering.models import Meter, Reading, Resource
from abonent.metering.window import readings_window
from abonent.orgs.dates import add_months, month_end, month_start
from abonent.orgs.models import Organisation
from abonent.payments.services import payment_cash_create

from .register import DEMO_CODES, STEPS, DemoContext, Step

MONTHS = 12
# A household's monthly use: (low, high) per resource.
USE = {
    Resource.COLD_WATER: (2.0, 8.0),
    Resource.HOT_WATER: (1.0, 5.0),
    Resource.ELECTRICITY: (80.0, 300.0),
    Resource.HEAT: (0.2, 1.2),
    Resource.GAS: (5.0, 30.0),
}


def billing_history(ctx: DemoContext) -> None:
    for code in DEMO_CODES:
        if code in ctx.orgs:
            _history(ctx, code)


def _history(ctx: DemoContext, code: str) -> None:
    org = ctx.orgs[code]
    rng = ctx.rng_for(f"billing-history:{code}")
    today = org.today()
    current = month_start(today)
    meters = list(
        Meter.objects.filter(Q(premises__building__organisation=org) | Q(building__organisation=org))
        .select_related("premises")
        .order_by("id")
    )
    values = {m.pk: m.initial_value for m in meters}
    accounts = ctx.accounts.get(code) or []
    months = MONTHS if ctx.history_months is None else ctx.history_months
    if months:
        _demo_rate_until(month_end(add_months(current, -1)))
    for back in range(months, 0, -1):
        month = add_months(current, -back)
        first, last = readings_window(org, month)
        readings = []
        building_use: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for meter in (m for m in meters if m.premises_id):
            if meter.installed_on > last or rng.random() < 0.08:  # not yet installed, or no reading this month
                continue
            low, high = USE[meter.resource]
            use = Decimal(str(round(rng.uniform(low, high), meter.digits_after)))
            building_use[(meter.premises.building_id, meter.resource)] += use
            values[meter.pk] = (values[meter.pk] + use) % meter.capacity
            readings.append(_reading(meter, month, values[meter.pk], first, last, rng))
        for meter in (m for m in meters if m.building_id):
            if meter.installed_on > last:
                continue
            # The house uses what the flats report, some more for the stairs and some that nobody reported.
            use = building_use[(meter.building_id, meter.resource)] * Decimal("1.12") + Decimal(rng.randint(1, 20))
            values[meter.pk] = (values[meter.pk] + use.quantize(Decimal("0.001"))) % meter.capacity
            readings.append(_reading(meter, month, values[meter.pk], first, last, rng))
        Reading.objects.bulk_create(readings)
        cycle.period_close(organisation=org, month=month)
        _payments(org, month, accounts, today, rng)
    ctx.write(f"    {org.short_name}: месяцев начислений и оплат — {months}")


def _demo_rate_until(last_day: dt.date) -> None:
    """A close past the end of the rate table stops (no rate, no penalty): the demo, run in a year the table does not
    cover yet, carries the last rate on up to its last closed month, in a row that says it is the demo's own and
    not the law's (the back office then warns that the table ends, as it would in real work)."""
    ends = table_end(rates())
    if ends is None or ends >= last_day:
        return
    last = PenaltyRate.objects.get(valid_to=ends)
    PenaltyRate.objects.create(
        valid_from=ends + dt.timedelta(days=1),
        valid_to=last_day,
        rate=last.rate,
        note="Демонстрационные данные: ставка продлена для истории демо, это не ставка закона",
    )


def _reading(meter, month, value, first: dt.date, last: dt.date, rng) -> Reading:
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    return Reading(
        meter=meter,
        period=month,
        value=value,
        submitted_at=dt.datetime(day.year, day.month, day.day, rng.randint(6, 21), rng.randint(0, 59), tzinfo=dt.UTC),
        channel=Reading.Channel.PORTAL if rng.random() < 0.7 else Reading.Channel.OPERATOR,
    )


def _payments(org, month: dt.date, accounts, today: dt.date, rng) -> None:
    """Most pay the bill in full by the due day, some late, some partly, a few not at all."""
    due = due_date(org, month)
    closing = dict(
        AccountBalance.objects.filter(period__organisation=org, period__month=month).values_list(
            "account_id", "closing"
        )
    )
    for account in accounts:
        owed = closing.get(account.pk, Decimal("0"))
        roll = rng.random()
        if owed <= 0 or roll < 0.07:
            continue
        if roll < 0.8:
            paid_on = due - dt.timedelta(days=rng.randint(0, 8))
        else:
            paid_on = due + dt.timedelta(days=rng.randint(5, 50))
        amount = owed if roll < 0.93 else (owed / 2).quantize(Decimal("0.01"))
        if paid_on > today:
            continue
        payment_cash_create(account=account, amount=amount, paid_on=paid_on, actor=None, payer_name=account.payer_name)


def register_step() -> None:
    """Make the history the last step of `seed_demo` (after the register and the logins); done on import."""
    if not any(step.run is billing_history for step in STEPS):
        STEPS.append(Step("история начислений и оплат", billing_history))


register_step()


def context_from_database() -> DemoContext:
    """The demo organisations and their accounts as `seed_demo` left them."""
    ctx = DemoContext()
    for org in Organisation.objects.filter(code__in=DEMO_CODES):
        ctx.orgs[org.code] = org
        ctx.accounts[org.code] = list(PersonalAccount.objects.filter(organisation=org).order_by("id"))
    return ctx
