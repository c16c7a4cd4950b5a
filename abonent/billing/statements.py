"""What the subscriber sees of billing: debt, the account card, charges, history, movement, common-house
volumes. Reads only, published periods only, a bounded number of queries each whatever the history length.

Every figure comes from the ledger's own rows (Charge, Recalculation, Penalty, AccountBalance, payment
LedgerEntry), so the pages agree with the ledger to the kopeck.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import parse_ru_date, parse_ru_month
from abonent.metering.models import Meter
from abonent.orgs.dates import add_months, month_end, month_label, month_start

from . import figures, selectors
from .calculations import round_money
from .models import (
    AccountBalance,
    AccountServiceOff,
    Allocation,
    BillingPeriod,
    Charge,
    LedgerEntry,
    Penalty,
    Recalculation,
    Service,
    ServiceBalance,
)

PUBLISHED = BillingPeriod.State.PUBLISHED
ZERO = Decimal("0.00")
PAYMENT = LedgerEntry.Kind.PAYMENT


class StatementError(ValueError):
    """A bad query parameter; the message is for the subscriber, in Russian."""


# --- the payer's name, masked as seed 004 shows it ---


def mask_payer(name: str) -> str:
    """ "Муравьев Сергей Викторович" → "Муравьев Сергей *****ВИЧ": surname and first name shown, the patronymic
    hidden but for its last three letters (as seed 004's account card). Two words or fewer are shown as typed."""
    parts = (name or "").split()
    if len(parts) < 3:
        return " ".join(parts)
    hidden = " ".join("*****" + word[-3:].upper() for word in parts[2:])
    return f"{parts[0]} {parts[1]} {hidden}"


# --- debt now ---


def debts(account_ids) -> dict[int, Decimal]:
    """Each account's debt now (negative = переплата): the closing balance of its last published period, less
    the payments posted to later periods. Two queries for any number of accounts."""
    account_ids = list(account_ids)
    latest = AccountBalance.objects.filter(account=OuterRef("pk"), period__state=PUBLISHED).order_by("-period__month")
    rows = PersonalAccount.objects.filter(pk__in=account_ids).annotate(
        closing=Subquery(latest.values("closing")[:1]), month=Subquery(latest.values("period__month")[:1])
    )
    result: dict[int, Decimal] = {}
    months: dict[int, dt.date | None] = {}
    for account_id, closing, month in rows.values_list("pk", "closing", "month"):
        result[account_id] = round_money(closing or ZERO)
        months[account_id] = month
    payments = LedgerEntry.objects.filter(account_id__in=account_ids, kind=PAYMENT)
    known = [m for m in months.values() if m]
    if known and len(known) == len(months):
        payments = payments.filter(period__month__gt=min(known))
    for account_id, month, amount in payments.values_list("account_id", "period__month", "amount"):
        if months.get(account_id) is None or month > months[account_id]:
            result[account_id] -= amount
    return result


def total_owed(debts: dict[int, Decimal]) -> Decimal:
    """What is owed across the accounts: their debts added up. An advance on one account does not lessen another's
    debt: the accounts may be different organisations', and money paid to one is not the other's."""
    return sum((debt for debt in debts.values() if debt > 0), ZERO)


def debt_of(account: PersonalAccount) -> Decimal:
    return debts([account.pk]).get(account.pk, ZERO)


def debts_cached(accounts) -> dict[int, Decimal]:
    """`debts` of PersonalAccount objects through the figures cache (billing.figures): no query when warm."""
    return figures.cached("debt", accounts, lambda missing: debts([a.pk for a in missing]))


def card_figures(account: PersonalAccount) -> dict:
    """The account card's figures (the last published month, the debt and its parts by service, the two charts,
    the services not provided) through the figures
    cache: computed once per change of the account's figures. The caller has checked the user's access."""

    def compute(missing) -> dict:
        month, debt = last_month(account), debt_of(account)
        return {
            account.pk: {
                "month": month,
                "debt": debt,
                "parts": debt_parts(account, month, debt),  # the debt by service with its supplier
                "chart": chart(account),
                "consumption": chart(account, measure="volume"),
                "services_off": services_off(account),
            }
        }

    # "card:3": the value gained parts; a new name, so a deploy never reads a value of the older shape
    result = dict(figures.cached("card:3", [account], compute)[account.pk])
    # for the page's {% cache %} fragments (the rendered table and charts), keyed by the same version
    result["version"], result["timeout"] = figures.account_figures_version(account), figures.timeout()
    return result


@dataclass(frozen=True)
class ServiceOff:
    service: str
    since: dt.date
    until: dt.date | None
    reason: str


def services_off(account: PersonalAccount) -> list[ServiceOff]:
    """The services the account does not (or did not) receive, newest first: the card says why a line is missing
    from a month. Every row, past ones too, so the list does not depend on the day (it is cached with the
    figures and renewed when a row changes: receivers)."""
    rows = AccountServiceOff.objects.filter(account=account).select_related("service").order_by("-since", "pk")
    return [ServiceOff(r.service.name, r.since, r.until, r.reason) for r in rows]


# --- the account card: the last published month ---


@dataclass
class Row:
    service: str
    unit: str = ""
    price: Decimal | None = None
    volume: Decimal | None = None
    charged: Decimal = ZERO
    recalculated: Decimal = ZERO
    note: str = ""

    @property
    def total(self) -> Decimal:
        return self.charged + self.recalculated


@dataclass
class Month:
    period: BillingPeriod
    balance: AccountBalance | None
    rows: list[Row] = field(default_factory=list)
    recalculations: list[Recalculation] = field(default_factory=list)
    penalty: Decimal = ZERO

    @property
    def label(self) -> str:
        return month_label(self.period.month)

    @property
    def charged(self) -> Decimal:
        return sum((r.charged for r in self.rows), ZERO)

    @property
    def recalculated(self) -> Decimal:
        return sum((r.recalculated for r in self.rows), ZERO)

    @property
    def charged_with_penalty(self) -> Decimal:
        return self.charged + self.penalty

    @property
    def total(self) -> Decimal:
        return self.charged + self.recalculated + self.penalty


def _month_rows(charges, recalculations) -> list[Row]:
    """Charge lines (one per meter when a service has several) with each service's recalculations on its first
    line; recalculations of services not charged this month, or of none, get lines of their own."""
    rows: list[Row] = []
    first: dict[int, Row] = {}
    for c in charges:
        row = Row(c.service.name, c.service.get_unit_display(), c.price, c.volume, c.amount)
        if c.meter_id:
            row.note = f"прибор № {c.meter.serial_number}" if c.meter else ""
        first.setdefault(c.service_id, row)
        rows.append(row)
    for r in recalculations:
        target = first.get(r.service_id) if r.service_id else None
        if target is None:
            name = r.service.name if r.service else "Перерасчёт"
            target = Row(name, r.service.get_unit_display() if r.service else "", note=r.reason)
            rows.append(target)
            if r.service_id:
                first[r.service_id] = target
        target.recalculated += r.amount
    return rows


def last_month(account: PersonalAccount) -> Month | None:
    """The account card's table: the last published month. Five queries."""
    period = selectors.last_published_period(account=account)
    if period is None:
        return None
    return month_of(account, period)


def month_of(account: PersonalAccount, period: BillingPeriod) -> Month:
    """One published month's charges with their lines, as the account card shows the last one. Four queries."""
    balance = AccountBalance.objects.filter(account=account, period=period).first()
    recalculations = list(selectors.account_recalculations(account=account, period=period))
    month = Month(period, balance, recalculations=recalculations)
    month.rows = _month_rows(selectors.account_charges(account=account, period=period), recalculations)
    penalty = selectors.account_penalty(account=account, period=period)
    month.penalty = penalty.amount if penalty else ZERO
    return month


# --- Задолженность / Детализация счёта ---


@dataclass
class DebtPart:
    label: str
    amount: Decimal
    penalties: Decimal = ZERO  # of the amount: the пени of the last published month on this service
    supplier: str = ""  # who provides the service ("" — the organisation itself)
    direct: bool = False  # paid to the supplier directly, not to the organisation


@dataclass(frozen=True)
class ServiceDebt:
    service_id: int | None
    name: str
    supplier: str
    direct: bool
    debt: Decimal  # now: the last published closing of the service less what was allocated to it since
    penalties: Decimal  # the service's пени in the last published month


def service_debts(account_ids) -> dict[int, list[ServiceDebt]]:
    """Each account's debt now by service (the ledger by service): sums to `debts`. Three queries."""
    account_ids = list(account_ids)
    latest = AccountBalance.objects.filter(account=OuterRef("pk"), period__state=PUBLISHED).order_by("-period__month")
    last = dict(
        PersonalAccount.objects.filter(pk__in=account_ids)
        .annotate(period_id=Subquery(latest.values("period_id")[:1]))
        .exclude(period_id=None)
        .values_list("pk", "period_id")
    )
    months = dict(BillingPeriod.objects.filter(pk__in=set(last.values())).values_list("pk", "month"))
    rows = (
        ServiceBalance.objects.filter(account_id__in=list(last), period_id__in=set(last.values()))
        .select_related("service", "service__supplier")
        .order_by("account_id", "service__sort_order", "service_id")
    )
    since: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for account_id, service_id, month, amount in Allocation.objects.filter(
        account_id__in=list(last), period__month__gt=min(months.values(), default=dt.date.max)
    ).values_list("account_id", "service_id", "period__month", "amount"):
        if month > months[last[account_id]]:
            since[(account_id, service_id)] += amount
    result: dict[int, list[ServiceDebt]] = defaultdict(list)
    for row in rows:
        if last[row.account_id] != row.period_id:
            continue
        debt = round_money(row.closing - since.pop((row.account_id, row.service_id), ZERO))
        result[row.account_id].append(_service_debt(row.service, debt, row.penalties))
    for (account_id, service_id), amount in since.items():  # paid for a service with no row: an advance of it
        service = Service.objects.select_related("supplier").filter(pk=service_id).first() if service_id else None
        result[account_id].append(_service_debt(service, -amount, ZERO))
    return dict(result)


def _service_debt(service: Service | None, debt: Decimal, penalties: Decimal) -> ServiceDebt:
    if service is None:
        name = "Не отнесено к услуге" if debt > 0 else "Аванс, не отнесённый к услуге"
        return ServiceDebt(None, name, "", False, debt, penalties)
    supplier = service.supplier.short_name if service.supplier_id else ""
    return ServiceDebt(service.pk, service.name, supplier, service.payee == Service.Payee.DIRECT, debt, penalties)


def debt_parts(account: PersonalAccount, month: Month | None, debt: Decimal) -> list[DebtPart]:
    """The debt now by service, exactly as the ledger by service holds it (with each service's пени of the last
    published month); services settled to zero are left out. Sums to `debt`."""
    parts = [
        DebtPart(d.name, d.debt, d.penalties, d.supplier, d.direct)
        for d in service_debts([account.pk]).get(account.pk, [])
        if d.debt or d.penalties
    ]
    if not parts:
        return [DebtPart("Задолженность", debt)] if debt else []
    return parts


def balances(account: PersonalAccount, first: dt.date | None = None, last: dt.date | None = None):
    """Published balances of the account, oldest first, months between `first` and `last` inclusive. One query."""
    rows = AccountBalance.objects.filter(account=account, period__state=PUBLISHED).select_related("period")
    if first:
        rows = rows.filter(period__month__gte=first)
    if last:
        rows = rows.filter(period__month__lte=last)
    return list(rows.order_by("period__month"))


def last_balances(account_ids) -> dict[int, AccountBalance]:
    """Each account's balance of its last published month (for the API's account list): one query."""
    account_ids = list(account_ids)
    rows = (
        AccountBalance.objects.filter(account_id__in=account_ids, period__state=PUBLISHED)
        .select_related("period")
        .order_by("account_id", "-period__month")
    )
    if len(account_ids) == 1:
        rows = rows[:1]  # one account (the account's own endpoint): its newest row only
    found: dict[int, AccountBalance] = {}
    for row in rows:
        found.setdefault(row.account_id, row)
    return found


def debts_and_balances_cached(accounts) -> dict[int, tuple[Decimal, AccountBalance | None]]:
    """{account id: (debt now, the last published month's balance)} through the figures cache: the API's account,
    asked by apps far more often than the figures change. Both renew with the account's figures version."""

    def compute(missing) -> dict:
        owed, last = debts([a.pk for a in missing]), last_balances(a.pk for a in missing)
        return {a.pk: (owed.get(a.pk, ZERO), last.get(a.pk)) for a in missing}

    return figures.cached("debt-balance", accounts, compute)


# --- Начисления и платежи ---


def parse_day(text: str | None, default: dt.date, what: str) -> dt.date:
    if not text:
        return default
    day = parse_ru_date(text)
    if day is None:
        raise StatementError(f"Дата «{what}» указана неверно: нужна дата в виде ДД.ММ.ГГГГ, например 31.08.2018.")
    return day


def parse_month_param(text: str | None, default: dt.date, what: str) -> dt.date:
    if not text:
        return default
    month = parse_ru_month(text)  # mm.yyyy as the field shows it; yyyy-mm as links made before carry it
    if month is None:
        raise StatementError(f"Месяц «{what}» указан неверно: нужен месяц в виде ММ.ГГГГ, например 08.2018.")
    return month


@dataclass
class HistoryLine:
    day: dt.date
    kind: str  # "month", "service", "recalculation", "penalty", "payment"
    text: str
    charged: Decimal | None = None
    paid: Decimal | None = None


@dataclass
class History:
    start: dt.date
    end: dt.date
    lines: list[HistoryLine]
    charged: Decimal
    paid: Decimal
    last_payment: LedgerEntry | None
    debt: Decimal


def history(account: PersonalAccount, start: dt.date, end: dt.date) -> History:
    """Seed 002's "Начисления и платежи": each published month in [start, end] dated its last day, with a line
    per service ("└"), recalculations and penalties; payments by date. Six queries."""
    if start > end:
        raise StatementError("Начало периода позже его конца: поменяйте даты местами.")
    first, last = month_start(start), month_start(end)
    in_range = {"account": account, "period__state": PUBLISHED, "period__month__gte": first}
    in_range["period__month__lte"] = last
    charges = Charge.objects.filter(**in_range).select_related("service", "period")
    recalcs = Recalculation.objects.filter(**in_range).select_related("service", "period", "corrected_period")
    penalties = Penalty.objects.filter(**in_range).select_related("period")
    by_month: dict[dt.date, list[HistoryLine]] = defaultdict(list)
    totals: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    services: dict[tuple[dt.date, int], HistoryLine] = {}
    for c in charges.order_by("period__month", "service__sort_order", "service__name", "id"):
        m = c.period.month
        key = (m, c.service_id)
        if key not in services:
            services[key] = HistoryLine(month_end(m), "service", f"{c.service.name}, {c.service.unit}", ZERO)
            by_month[m].append(services[key])
        services[key].charged += c.amount
        totals[m] += c.amount
    for r in recalcs.order_by("period__month", "id"):
        m = r.period.month
        what = f"Перерасчёт за {month_label(r.corrected_period.month)}"
        if r.service:
            what += f" ({r.service.name})"
        by_month[m].append(HistoryLine(month_end(m), "recalculation", f"{what}: {r.reason}", r.amount))
        totals[m] += r.amount
    for p in penalties:
        m = p.period.month
        by_month[m].append(HistoryLine(month_end(m), "penalty", "Пени", p.amount))
        totals[m] += p.amount
    lines: list[HistoryLine] = []
    for m in sorted(by_month):
        lines.append(HistoryLine(month_end(m), "month", f"Начислено за {month_label(m)}", totals[m]))
        lines.extend(by_month[m])
    payments = LedgerEntry.objects.filter(account=account, kind=PAYMENT, occurred_on__gte=start, occurred_on__lte=end)
    paid = ZERO
    for entry in payments.order_by("occurred_on", "id"):
        text = "Оплата" if entry.amount > 0 else "Отмена оплаты"
        lines.append(HistoryLine(entry.occurred_on, "payment", text, paid=entry.amount))
        paid += entry.amount
    # Months (dated their last day) and payments by date; a month's lines stay together under it.
    lines.sort(key=lambda line: (line.day, line.kind != "payment"))
    last_payment = (
        LedgerEntry.objects.filter(account=account, kind=PAYMENT, amount__gt=0).order_by("-occurred_on", "-id").first()
    )
    return History(
        start=start,
        end=end,
        lines=lines,
        charged=sum(totals.values(), ZERO),
        paid=paid,
        last_payment=last_payment,
        debt=debt_of(account),
    )


# --- Платежи: the movement of funds over months ---


@dataclass
class Movement:
    first: dt.date
    last: dt.date
    months: list[AccountBalance]
    payments: list[LedgerEntry]

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(b, name) for b in self.months), ZERO)

    @property
    def opening(self) -> Decimal:
        return self.months[0].opening if self.months else ZERO

    @property
    def closing(self) -> Decimal:
        return self.months[-1].closing if self.months else ZERO

    @property
    def charged(self) -> Decimal:
        return self._sum("charged")

    @property
    def recalculated(self) -> Decimal:
        return self._sum("recalculated")

    @property
    def penalties(self) -> Decimal:
        return self._sum("penalties")

    @property
    def paid(self) -> Decimal:
        return self._sum("paid")


def movement(account: PersonalAccount, first: dt.date, last: dt.date) -> Movement:
    """Seed 004's "Платежи": debt or advance at the start and end of [first, last] (months), with the charges,
    recalculations, penalties and payments between. Two queries."""
    if first > last:
        raise StatementError("Начало периода позже его конца: поменяйте месяцы местами.")
    months = balances(account, first, last)
    payments = list(
        LedgerEntry.objects.filter(
            account=account,
            kind=PAYMENT,
            period__state=PUBLISHED,
            period__month__gte=first,
            period__month__lte=last,
        ).order_by("occurred_on", "id")
    )
    return Movement(first, last, months, payments)


def default_movement_range(account: PersonalAccount) -> tuple[dt.date, dt.date]:
    last = selectors.last_published_period(account=account)
    end = last.month if last else month_start(account.organisation.today())
    return add_months(end, -11), end


# --- Расчёт потребления на ОДН ---


@dataclass
class CommonLine:
    service: str
    unit: str
    house_meter: bool
    house_volume: Decimal | None  # the house meter's volume of the month (when by house meter)
    individual: Decimal | None  # the sum of the house's individual volumes of the resource
    shared: Decimal | None  # the volume shared out among the premises
    share: Decimal  # this premises' volume
    price: Decimal
    amount: Decimal


@dataclass
class Common:
    period: BillingPeriod | None
    premises_area: Decimal
    total_area: Decimal
    common_area: Decimal
    lines: list[CommonLine]


def common_house(account: PersonalAccount, period: BillingPeriod | None) -> Common:
    """The common-house (ОДН/СОИ) calculation of a published month from its Charge lines: the shared volume
    stored on this premises' line, the sum of the house's individual volumes of the resource, and this
    premises' share by area. Three queries."""
    premises = account.premises
    building = premises.building
    result = Common(period, premises.total_area, building.total_area, building.common_area, [])
    if period is None:
        return result
    lines = list(
        Charge.objects.filter(
            account=account, period=period, period__state=PUBLISHED, basis=Charge.Basis.COMMON_HOUSE
        ).select_related("service")
    )
    if not lines:
        return result
    resources = {c.service.resource for c in lines}
    individual: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for resource, volume, factor in Charge.objects.filter(
        period=period,
        account__premises__building_id=building.pk,
        service__resource__in=resources,
        service__method=Service.Method.METER,
    ).values_list("service__resource", "volume", "factor"):
        # The engine shares out the house volume less the individual volumes without the multiplying factor.
        individual[resource] += volume / factor if factor else volume
    metered = set(
        Meter.objects.filter(building_id=building.pk, resource__in=resources).values_list("resource", flat=True)
    )
    for c in lines:
        by_meter = c.service.resource in metered
        ind = individual.get(c.service.resource, ZERO) if by_meter else None
        result.lines.append(
            CommonLine(
                service=c.service.name,
                unit=c.service.get_unit_display(),
                house_meter=by_meter,
                house_volume=(c.house_volume + ind) if by_meter and c.house_volume is not None else None,
                individual=ind,
                shared=c.house_volume,
                share=c.volume,
                price=c.price,
                amount=c.amount,
            )
        )
    return result


def published_period(account: PersonalAccount, month: dt.date | None) -> BillingPeriod | None:
    periods = BillingPeriod.objects.filter(organisation_id=account.organisation_id, state=PUBLISHED)
    if month:
        return periods.filter(month=month).first()
    return periods.order_by("-month").first()


# --- the chart: the last 12 months' charges by service ---

PALETTE = ("#2f6db5", "#c98a1b", "#3a8f5c", "#b5452f", "#7a4fb5", "#2f9fb5", "#8a8a2f", "#b52f7a")


def chart(
    account: PersonalAccount, months: int = 12, width: int = 720, height: int = 240, measure: str = "amount"
) -> dict | None:
    """Geometry of a stacked bar chart of the last `months` published months' charges by service (one query),
    so the template only draws. measure="volume": the water consumed (м³, services by meter), instead."""
    last = selectors.last_published_period(account=account)
    if last is None:
        return None
    first = add_months(last.month, -(months - 1))
    sums, names = _chart_sums(account, first, last.month, measure)
    if not sums:
        return None
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    top = max((sum(v.values(), ZERO) for v in sums.values()), default=ZERO) or Decimal(1)
    left, right, pad_top, axis_y = 64, width - 8, 12, height - 24
    slot = (right - left) / months
    bar_w = slot * 0.7
    bars = []
    for i, month in enumerate(add_months(first, i) for i in range(months)):
        x = left + i * slot + (slot - bar_w) / 2
        month_sums = sums.get(month, {})
        bars.append(
            {
                "month": month,
                "label": month_label(month),
                "short": f"{month:%m.%y}",
                "label_x": round(x + bar_w / 2, 1),
                "total": sum(month_sums.values(), ZERO),
                "segments": _chart_segments(month_sums, names, colours, x, bar_w, axis_y, (top, axis_y - pad_top)),
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "axis_y": axis_y,
        "pad_top": pad_top,
        "label_y": height - 8,
        "top": top,
        "bars": bars,
        # swatch: the legend's colour as a class of billing.css (swatch-0…7), no inline style under the CSP.
        "legend": [{"name": n, "colour": colours[n], "swatch": i % len(PALETTE)} for i, n in enumerate(names)],
        "unit": "м³" if measure == "volume" else "₽",
    }


def _chart_sums(
    account: PersonalAccount, first: dt.date, last: dt.date, measure: str
) -> tuple[dict[dt.date, dict[str, Decimal]], list[str]]:
    """The amounts (or volumes) by month and service, and the services in receipt order."""
    rows = Charge.objects.filter(
        account=account, period__state=PUBLISHED, period__month__gte=first, period__month__lte=last
    )
    if measure == "volume":
        rows = rows.filter(service__method=Service.Method.METER, service__unit=Service.Unit.M3)
    rows = rows.values_list("period__month", "service__name", "service__sort_order", measure).order_by("period__month")
    sums: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    order: dict[str, int] = {}
    for month, name, sort, amount in rows:
        sums[month][name] += amount
        order.setdefault(name, sort)
    return sums, sorted(order, key=lambda n: (order[n], n))


def _chart_segments(month_sums, names, colours, x: float, bar_w: float, axis_y: int, scale) -> list[dict]:
    """One bar's segments, stacked upwards from the axis; `scale`: (the chart's top amount, its height in px)."""
    top, span = scale
    y = axis_y
    segments = []
    for name in names:
        amount = month_sums.get(name, ZERO)
        if amount <= 0:
            continue
        h = float(amount / top) * span
        y -= h
        segments.append(
            {"x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1), "h": round(h, 1), "name": name}
            | {"amount": amount, "colour": colours[name]}
        )
    return segments
