"""The accountant's other two reports: payments of a month by day and channel, readings of a month by house."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from abonent.housing.models import Building
from abonent.lib.numbers import round_money
from abonent.metering.models import Reading
from abonent.orgs.dates import month_end
from abonent.payments.models import Payment

from .dashboard import meters_of
from .money import ZERO

PAYMENT_CHANNELS = list(Payment.Channel)
READING_CHANNELS = [c for c in Reading.Channel if c != Reading.Channel.ESTIMATE]


@dataclass
class PaymentDay:
    day: dt.date
    by_channel: dict[str, Decimal] = field(default_factory=dict)
    count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.by_channel.values(), ZERO)

    def amounts(self) -> list[Decimal]:
        return [self.by_channel.get(c.value, ZERO) for c in PAYMENT_CHANNELS]


def payments_by_day(organisation, month: dt.date) -> list[PaymentDay]:
    """The credited payments dated in the month, summed by day and channel (one grouped query)."""
    rows = (
        Payment.objects.filter(
            organisation=organisation, status=Payment.Status.CREDITED, paid_on__range=(month, month_end(month))
        )
        .values("paid_on", "channel")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("paid_on")
    )
    days: dict[dt.date, PaymentDay] = {}
    for r in rows:
        day = days.setdefault(r["paid_on"], PaymentDay(r["paid_on"]))
        day.by_channel[r["channel"]] = round_money(r["total"])
        day.count += r["n"]
    return list(days.values())


def payment_totals(days: list[PaymentDay]) -> PaymentDay:
    total = PaymentDay(day=None)
    for day in days:
        for channel, amount in day.by_channel.items():
            total.by_channel[channel] = total.by_channel.get(channel, ZERO) + amount
        total.count += day.count
    return total


@dataclass
class HouseReadings:
    building_id: int
    address: str
    meters: int
    by_channel: list[int]

    @property
    def received(self) -> int:
        return sum(self.by_channel)

    @property
    def share(self):
        return round(100 * self.received / self.meters, 1) if self.meters else None


HOUSE = Coalesce("premises__building_id", "building_id")


def readings_by_house(organisation, month: dt.date) -> list[HouseReadings]:
    """Per house: its active meters and the meters with a reading of the month, by channel (two queries)."""
    meters = dict(meters_of(organisation).annotate(house=HOUSE).values("house").annotate(n=Count("id")).values_list(
        "house", "n"))  # fmt: skip
    received = (
        Reading.objects.filter(meter__in=meters_of(organisation), period=month, is_current=True)
        .exclude(channel=Reading.Channel.ESTIMATE)
        .exclude(status=Reading.Status.REJECTED)
        .annotate(house=Coalesce("meter__premises__building_id", "meter__building_id"))
        .values("house", "channel")
        .annotate(n=Count("meter_id", distinct=True))
    )
    cells = defaultdict(dict)
    for r in received:
        cells[r["house"]][r["channel"]] = r["n"]
    houses = Building.objects.filter(organisation=organisation).order_by("address").values_list("id", "address")
    return [
        HouseReadings(pk, address, meters.get(pk, 0), [cells[pk].get(c.value, 0) for c in READING_CHANNELS])
        for pk, address in houses
        if meters.get(pk)
    ]
