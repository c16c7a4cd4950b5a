"""Pure billing arithmetic (the rules, with worked examples: docs/BILLING.md): values in, values out, no database.
Every function here is what a person checking a receipt by hand would do, and the tests do exactly that.

Money is Decimal rounded to kopecks half-up once per line; volumes keep 6 places.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from abonent.lib.numbers import KOPECK, round_money  # noqa: F401  (the one rounding rule, shown as it is computed)

VOLUME_PLACES = Decimal("0.000001")
ZERO = Decimal("0")

# How many periods in a row a missing reading is charged by the average before the норматив (ПП РФ №354 п.59).
MAX_ESTIMATED_PERIODS = 3
AVERAGE_MONTHS = 6
AVERAGE_MIN_MONTHS = 3


def round_volume(value: Decimal) -> Decimal:
    return value.quantize(VOLUME_PLACES, rounding=ROUND_HALF_UP)


def month_index(month: dt.date) -> int:
    """Months since year 0: the difference of two is the number of months between them."""
    return month.year * 12 + month.month - 1


# --- volumes ---


def metered_volume(previous: Decimal, current: Decimal, capacity: Decimal) -> Decimal:
    """current − previous; a smaller current value means the counter went through zero (99999 → 00012)."""
    if current >= previous:
        return current - previous
    return current + capacity - previous


def average_monthly_volume(
    readings: Sequence[tuple[dt.date, Decimal]], capacity: Decimal, *, months: int = AVERAGE_MONTHS
) -> Decimal | None:
    """The average monthly volume over the last `months` months of real readings before the gap (п.59 «б»).

    `readings`: (period, value) of real, accepted readings in ascending period order, the installation value as
    a reading of the installation month included. The span from the earliest reading within `months` of the
    last one to the last one is the meter's working time; fewer than 3 months of it → None (норматив instead).
    Counter rollovers between consecutive readings are unwound.
    """
    if not readings:
        return None
    last_period = readings[-1][0]
    window = [(p, v) for p, v in readings if month_index(last_period) - month_index(p) <= months]
    span = month_index(last_period) - month_index(window[0][0])
    if span < AVERAGE_MIN_MONTHS:
        return None
    total = sum(
        (metered_volume(prev[1], cur[1], capacity) for prev, cur in zip(window, window[1:], strict=False)), ZERO
    )
    return round_volume(total / span)


@dataclass(frozen=True)
class Estimate:
    basis: str  # "average" or "norm"
    volume: Decimal


def estimated_volume(*, periods_without_reading: int, average: Decimal | None, norm_volume: Decimal) -> Estimate:
    """No reading (or an out-of-order meter): the average for at most 3 periods in a row, then the норматив.

    `periods_without_reading` counts the period being charged: 1 for the first month without a reading.
    """
    if average is not None and 1 <= periods_without_reading <= MAX_ESTIMATED_PERIODS:
        return Estimate("average", average)
    return Estimate("norm", norm_volume)


def norm_volume(norm: Decimal, quantity: Decimal) -> Decimal:
    """норматив × residents (or × m² for a per-m² норматив)."""
    return round_volume(norm * quantity)


def factor_applies(*, service_allows: bool, has_meter: bool) -> bool:
    """The multiplying factor applies without a meter where one can be installed; we treat every missing meter as
    installable (the register does not record the обследование that would say otherwise)."""
    return service_allows and not has_meter


@dataclass(frozen=True)
class Line:
    volume: Decimal
    amount: Decimal
    factor_excess: Decimal = ZERO


def charge_line(volume: Decimal, price: Decimal, factor: Decimal | None = None) -> Line:
    """volume × price rounded to kopecks; with a factor, the billed volume is volume × factor and the excess over
    the plain amount is shown separately, as the ЕПД requires."""
    plain = round_money(volume * price)
    if factor is None or factor == 1:
        return Line(round_volume(volume), plain)
    billed_volume = round_volume(volume * factor)
    amount = round_money(volume * factor * price)
    return Line(billed_volume, amount, amount - plain)


def charge_line_by_days(volume: Decimal, rate: Decimal, days: int, factor: Decimal | None = None) -> Line:
    """A line whose tariff changed within the days it covers: volume × Σ(price_i × days_i) / days, that is the
    volume split by days at each tariff, rounded to kopecks once. `rate` is Σ price_i × days_i over the `days`
    (one tariff over all of them: rate / days is the price and this is charge_line). The products are exact and
    the one division keeps 28 digits, so the rounding is the exact value's (the SQL close divides the same way).
    """
    plain = round_money(volume * rate / days)
    if factor is None or factor == 1:
        return Line(round_volume(volume), plain)
    amount = round_money(volume * factor * rate / days)
    return Line(round_volume(volume * factor), amount, amount - plain)


def prorated_volume(volume: Decimal, days: int, month_days: int) -> Decimal:
    """A month's volume not measured by the account's own meter (норматив, average, ОДН) for the `days` of the
    month the service was provided (ПП РФ №354, п.42: payment for the period the service was provided)."""
    if days == month_days:
        return volume
    return round_volume(volume * days / month_days)


def sewerage_volume(cold: Decimal, hot: Decimal) -> Decimal:
    """водоотведение = cold + hot water volume."""
    return cold + hot


def common_house_by_norm(norm: Decimal, common_area: Decimal, premises_area: Decimal, total_area: Decimal) -> Decimal:
    """V_i = N × S_common × S_i / S_total."""
    if not total_area:
        return ZERO
    return round_volume(norm * common_area * premises_area / total_area)


def common_house_by_meter(
    *,
    house_volume: Decimal,
    individual_total: Decimal,
    premises_area: Decimal,
    total_area: Decimal,
    cap: Decimal | None,
) -> Decimal:
    """(house meter − Σ individual) × S_i / S_total, never negative, capped at the норматив share when `cap` is
    given (the owners did not decide otherwise)."""
    if not total_area:
        return ZERO
    common = max(house_volume - individual_total, ZERO)
    share = round_volume(common * premises_area / total_area)
    if cap is not None:
        share = min(share, cap)
    return share


def service_off_in_month(since: dt.date, until: dt.date | None, month: dt.date, month_last: dt.date) -> bool:
    """Whether a «услуга не оказывается» row (since … until, both inclusive; until None: still off) takes the
    service off the account for the month `month` … `month_last`.

    The days of the month within the row are not charged (in_force.month_days prorates the rest); a month all of
    whose days are within it has no line at all.
    """
    return since <= month_last and (until is None or until >= month)


def services_off_with_common(
    off: Iterable[tuple[int, int]], services: Iterable[tuple[int, str, str]]
) -> set[tuple[int, int]]:
    """(account, service) pairs not charged this month: the rows in force, and for an account without an
    individual service of a resource (by meter or by норматив), the common-house service of that resource too.

    `services`: (id, method, resource). Common-house needs of a resource are charged to the premises that receive
    it: an account that does not gets no ОДН line, and its individual volume (none) is not part of the house's.
    The shares of the others stay their area over the house's area (ПП РФ №354, формулы 10 и 15): the share of a
    premises that does not receive the resource is not charged to anyone else.
    """
    off = set(off)
    individual = {sid: resource for sid, method, resource in services if method in ("meter", "norm") and resource}
    common = defaultdict(list)
    for sid, method, resource in services:
        if method == "common" and resource:
            common[resource].append(sid)
    for account_id, service_id in list(off):
        resource = individual.get(service_id)
        if resource:
            off.update((account_id, sid) for sid in common[resource])
    return off


def split_gap(total: Decimal, months: int) -> list[Decimal]:
    """A real reading after `months - 1` estimated months: the metered volume over the whole gap, shared equally
    among its months; the last (current) month takes the remainder so the parts add up exactly."""
    share = round_volume(total / months)
    return [share] * (months - 1) + [total - share * (months - 1)]


# --- the ledger ---


def closing_balance(opening: Decimal, charged: Decimal, recalculated: Decimal, penalties: Decimal, paid: Decimal):
    """closing = opening + charged + recalculated + penalties − paid; negative is an advance."""
    return opening + charged + recalculated + penalties - paid
