"""Read queries for the readings pages: a bounded number of queries whatever the history's length."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from abonent.housing.models import PersonalAccount
from abonent.orgs.dates import add_months, month_label, month_start
from abonent.orgs.models import Organisation

from .checks import closed_meter_message, verification_notice
from .models import Meter, Reading
from .prices import resource_prices
from .window import announced_window, readings_window, window_is_open

HISTORY_MONTHS = 24


def account_meters(account: PersonalAccount):
    return list(Meter.objects.filter(premises_id=account.premises_id).order_by("status", "resource", "serial_number"))


def cost(consumption: Decimal, price: Decimal | None) -> Decimal | None:
    if price is None:
        return None
    return (consumption * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclasses.dataclass
class MeterRow:
    meter: Meter
    service_name: str
    price: Decimal | None
    last_accepted: Reading | None
    current: Reading | None  # this period's current reading
    refusal: str | None  # why the meter takes no input, or None
    warning: str | None = None  # the verification ends soon: what happens to the readings then

    @property
    def takes_input(self) -> bool:
        return self.refusal is None and self.meter.status == Meter.Status.ACTIVE


@dataclasses.dataclass
class ReadingsPage:
    account: PersonalAccount
    organisation: Organisation
    today: dt.date
    period: dt.date
    window: tuple[dt.date, dt.date]
    window_open: bool
    next_window: tuple[dt.date, dt.date]
    rows: list[MeterRow]

    @property
    def period_label(self) -> str:
        return month_label(self.period)

    @property
    def can_submit(self) -> bool:
        return self.window_open and any(row.takes_input for row in self.rows)


def readings_page(account: PersonalAccount, *, for_saving: bool = False) -> ReadingsPage:
    """Everything the "Показания" page shows: five queries (one asks whether billing closed the readings);
    `for_saving` (a confirmed save, which redirects) reads only the meters."""
    organisation = account.organisation
    today = organisation.today()
    period = month_start(today)
    window = readings_window(organisation, period)
    meters = account_meters(account)
    recent: dict[int, list[Reading]] = {}
    prices: dict[str, tuple[str, Decimal | None]] = {}
    if not for_saving:
        for reading in Reading.objects.filter(
            meter__in=meters, is_current=True, period__gte=add_months(period, -HISTORY_MONTHS)
        ).order_by("meter_id", "-period"):
            recent.setdefault(reading.meter_id, []).append(reading)
        prices = resource_prices(organisation, {m.resource for m in meters}, today)
    rows = []
    for meter in meters:
        readings = recent.get(meter.pk, [])
        current = next((r for r in readings if r.period == period), None)
        last_accepted = next(
            (r for r in readings if r.status == Reading.Status.ACCEPTED and r.channel != Reading.Channel.ESTIMATE),
            None,
        )
        name, price = prices.get(meter.resource, (meter.get_resource_display(), None))
        rows.append(
            MeterRow(
                meter=meter,
                service_name=name,
                price=price,
                last_accepted=last_accepted,
                current=current,
                refusal=closed_meter_message(meter, today),
                warning=verification_notice(meter, today),
            )
        )
    return ReadingsPage(
        account=account,
        organisation=organisation,
        today=today,
        period=period,
        window=window,
        window_open=window_is_open(organisation, period, today),
        next_window=announced_window(organisation, today),
        rows=rows,
    )


@dataclasses.dataclass
class HistoryMonth:
    period: dt.date
    reading: Reading | None
    consumption: Decimal | None

    @property
    def estimated(self) -> bool:
        return self.reading is not None and self.reading.channel == Reading.Channel.ESTIMATE

    @property
    def label(self) -> str:
        return month_label(self.period)


def meter_history(
    meter: Meter, today: dt.date, months: int = HISTORY_MONTHS
) -> tuple[list[HistoryMonth], list[Reading]]:
    """Month by month for the last `months` months: the reading that counts and the consumption since the month
    before; and every reading sent in that time (corrections included), newest first. Two queries."""
    last = month_start(today)
    first = add_months(last, -(months - 1))
    sent = list(
        Reading.objects.filter(meter=meter, period__gte=add_months(first, -1))
        .select_related("submitted_by")
        .order_by("-period", "-submitted_at", "-id")
    )
    counting = {r.period: r for r in sent if r.is_current and r.status != Reading.Status.REJECTED}
    before = (
        Reading.objects.filter(meter=meter, period__lt=add_months(first, -1), is_current=True)
        .exclude(status=Reading.Status.REJECTED)
        .order_by("-period")
        .values_list("value", flat=True)
        .first()
    )
    previous_value = counting[add_months(first, -1)].value if add_months(first, -1) in counting else before
    if previous_value is None and meter.installed_on <= first:
        previous_value = meter.initial_value
    capacity = meter.capacity
    result = []
    for index in range(months):
        period = add_months(first, index)
        reading = counting.get(period)
        consumption = None
        if reading is not None and previous_value is not None:
            consumption = reading.value - previous_value
            if consumption < 0 and reading.rollover:
                consumption += capacity
            if consumption < 0:
                consumption = None
        if reading is not None:
            previous_value = reading.value
        elif meter.installed_on <= period and previous_value is None:
            previous_value = meter.initial_value
        result.append(HistoryMonth(period=period, reading=reading, consumption=consumption))
    return result, [r for r in sent if r.period >= first]


def chart_bars(months: list[HistoryMonth], width: int = 720, height: int = 220) -> dict:
    """Geometry of an SVG bar chart of monthly consumption, computed here so the template only draws."""
    top = max((m.consumption for m in months if m.consumption is not None), default=Decimal(0))
    top = top if top > 0 else Decimal(1)
    left, bottom, pad_top = 44, 34, 12
    plot_w, plot_h = width - left - 8, height - bottom - pad_top
    slot = Decimal(plot_w) / max(1, len(months))
    bars = []
    for index, month in enumerate(months):
        value = month.consumption or Decimal(0)
        h = (value / top * plot_h).quantize(Decimal("0.1"))
        x = (left + slot * index + slot * Decimal("0.15")).quantize(Decimal("0.1"))
        bars.append(
            {
                "x": x,
                "y": (pad_top + plot_h - h),
                "w": (slot * Decimal("0.7")).quantize(Decimal("0.1")),
                "h": h,
                "month": month,
                "label_x": (left + slot * index + slot / 2).quantize(Decimal("0.1")),
                "show_label": index % 3 == 0 or index == len(months) - 1,
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "top": top,
        "axis_y": pad_top + plot_h,
        "left": left,
        "right": width - 8,
        "pad_top": pad_top,
        "label_y": height - 12,
    }
