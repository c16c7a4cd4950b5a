"""What is in force for a month: the tariff and норматив of each service, and the services an account does not
receive. Both engines (the Python one and the SQL close) and the operator's recalculations read them from here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from abonent.housing.models import PersonalAccount
from abonent.orgs.dates import month_end
from abonent.orgs.models import Organisation

from .models import AccountServiceOff, Service, Tariff


def in_force(model, services: list[Service], month: dt.date) -> dict[int, object]:
    """The tariff (or норматив) of each service valid in the month: the latest one that starts by its end."""
    rows = (
        model.objects.filter(service__in=services, valid_from__lte=month_end(month))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("service_id", "valid_from")
    )
    return {row.service_id: row for row in rows}


@dataclass(frozen=True)
class Served:
    """The days of a month an account is charged a service for: open, receiving it, with a tariff in force."""

    days: int
    rate: Decimal  # Σ of the day's tariff over those days: rate / days is the price when it did not change
    price: Decimal  # the tariff of the last of those days, shown on the line


@dataclass
class MonthDays:
    """Served days of every (account, service) pair of a month. Most pairs are the service's `standard` (an
    account open all month, the service received all month); the others are in `part`, or in `off` when no day
    is left (no line at all). Both engines take this: the SQL close copies `part` and `off` into its tables."""

    total: int
    standard: dict[int, Served]
    part: dict[tuple[int, int], Served] = field(default_factory=dict)
    off: set[tuple[int, int]] = field(default_factory=set)
    account_days: dict[int, int] = field(default_factory=dict)  # accounts open part of the month

    def of(self, account_id: int, service_id: int) -> Served | None:
        served = self.part.get((account_id, service_id))
        return served if served is not None else self.standard.get(service_id)

    def open_days(self, account_id: int) -> int:
        return self.account_days.get(account_id, self.total)


def month_days(org: Organisation, month: dt.date, services: list[Service]) -> MonthDays:
    """Proration by days (ПП РФ №354, п.42; docs/BILLING.md «Неполный месяц»): the tariffs' days, the accounts
    opened or closed within the month, the days of «услуга не оказывается» rows, and the common-house needs of a
    resource only on the days the account receives the resource (calculations.services_off_with_common)."""
    end = month_end(month)
    total = end.day
    everyday = frozenset(range(1, total + 1))
    prices = _daily_prices(services, month, end)
    accounts = {
        pk: _days(opened, closed, month, end)
        for pk, opened, closed in PersonalAccount.objects.filter(organisation=org, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=month))
        .filter(Q(opened_on__gt=month) | Q(closed_on__lt=end))
        .values_list("id", "opened_on", "closed_on")
    }
    received: dict[tuple[int, int], frozenset[int]] = {
        (pk, s.pk): days for pk, days in accounts.items() for s in services
    }
    for pk, service_id, since, until in (
        AccountServiceOff.objects.filter(account__organisation=org, service__in=services, since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gte=month))
        .values_list("account_id", "service_id", "since", "until")
    ):
        key = (pk, service_id)
        received[key] = received.get(key, accounts.get(pk, everyday)) - _days(since, until, month, end)
    _common_follows_individual(received, services, accounts, everyday)
    result = MonthDays(total, {sid: _served(everyday, p) for sid, p in prices.items()})
    result.account_days = {pk: len(days) for pk, days in accounts.items()}
    for key, days in received.items():
        if key[1] not in prices:
            continue  # no tariff this month: not charged at all
        served = _served(days, prices[key[1]])
        if served.days:
            result.part[key] = served
        else:
            result.off.add(key)
    result.off |= {key for key, days in received.items() if not days}
    return result


def services_off(org: Organisation, month: dt.date, services: list[Service]) -> set[tuple[int, int]]:
    """The (account, service) pairs the month does not charge at all (month_days(...).off)."""
    return month_days(org, month, services).off


def _days(first: dt.date, last: dt.date | None, month: dt.date, end: dt.date) -> frozenset[int]:
    """The days of the month from `first` to `last` inclusive (None: to the month's end)."""
    first, last = max(first, month), min(last or end, end)
    return frozenset(range(first.day, last.day + 1)) if first <= last else frozenset()


def _daily_prices(services: list[Service], month: dt.date, end: dt.date) -> dict[int, dict[int, Decimal]]:
    """The tariff of each day of the month, by service (days without a tariff are absent)."""
    prices: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = (
        Tariff.objects.filter(service__in=services, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .values_list("service_id", "valid_from", "valid_to", "price")
    )
    for service_id, since, until, price in rows:
        for day in _days(since, until, month, end):
            prices[service_id][day] = price
    return prices


def _served(days: frozenset[int], prices: dict[int, Decimal]) -> Served:
    tariffed = sorted(day for day in days if day in prices)
    if not tariffed:
        return Served(0, Decimal(0), Decimal(0))
    return Served(len(tariffed), sum((prices[d] for d in tariffed), Decimal(0)), prices[tariffed[-1]])


def _common_follows_individual(received, services, accounts, everyday) -> None:
    """The common-house needs of a resource are received only on the days the account receives the resource's
    individual service (by meter or by норматив): calculations.services_off_with_common, day by day."""
    individual = {s.pk: s.resource for s in services if s.method in ("meter", "norm") and s.resource}
    common = defaultdict(list)
    for s in services:
        if s.method == "common" and s.resource:
            common[s.resource].append(s.pk)
    for (pk, service_id), days in list(received.items()):
        for common_id in common.get(individual.get(service_id), []):
            key = (pk, common_id)
            received[key] = received.get(key, accounts.get(pk, everyday)) & days
