"""What an ЕПД shows of the house and of the нормативы (ПП РФ №354, п.69; форма ЕПД, приказ Минстроя
№ 43/пр): for each resource with common-house needs the house meter's reading, the total of the premises'
individual volumes and the house's common volume; for a line charged by норматив its value and unit.

Read per batch of receipts (or once for a whole period at publish), in a fixed number of queries whatever the
number of accounts; at publish the result is stored in the period's IssuedPeriod (issued.py), so a reprint shows
the figures of the day of issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, When

from abonent.billing.in_force import in_force
from abonent.billing.models import BillingPeriod, Charge, Norm, Service
from abonent.metering.models import Meter, Reading
from abonent.orgs.dates import month_end

ZERO = Decimal("0")


@dataclass
class House:
    """One house's figures for one resource of the month."""

    individual: Decimal = ZERO  # Σ of the premises' individual volumes (before the multiplying factor)
    meter: str = ""  # the house meter's serial number (empty: no house meter, common needs by норматив)
    reading: Decimal | None = None  # its reading of the month, when one was accepted

    def as_row(self) -> list:
        return [self.individual, self.meter, self.reading]

    @classmethod
    def from_row(cls, values: list) -> House:
        individual, meter, reading = values
        return cls(Decimal(str(individual)), meter, None if reading is None else Decimal(str(reading)))


def _common_resources(period: BillingPeriod):
    return Service.objects.filter(organisation_id=period.organisation_id, method=Service.Method.COMMON_HOUSE).values(
        "resource"
    )


def houses(period: BillingPeriod, building_ids: list[int] | None = None) -> dict[tuple[int, str], House]:
    """The figures by (building, resource) of the buildings (all of the period's: None), in two queries."""
    resources = _common_resources(period)
    where = Q() if building_ids is None else Q(account__premises__building_id__in=building_ids)
    # The engine shares out the house volume less the individual volumes without the multiplying factor.
    base = Case(
        When(factor__gt=0, then=F("volume") / F("factor")),
        default=F("volume"),
        output_field=DecimalField(max_digits=18, decimal_places=6),
    )
    rows = (
        Charge.objects.filter(where, period=period, service__method=Service.Method.METER)
        .filter(service__resource__in=resources)
        .order_by()
        .values_list("account__premises__building_id", "service__resource")
        .annotate(total=Sum(base))
    )
    out = {(building, resource): House(individual=total or ZERO) for building, resource, total in rows}
    for building, resource, serial, reading in _house_meters(period, building_ids, resources):
        house = out.setdefault((building, resource), House())
        house.meter, house.reading = serial, reading
    return out


def _house_meters(period: BillingPeriod, building_ids: list[int] | None, resources):
    month = period.month
    reading = Reading.objects.filter(
        meter=OuterRef("pk"), period=month, status=Reading.Status.ACCEPTED, is_current=True
    ).order_by("-submitted_at", "-id")
    meters = Meter.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=month),
        premises__isnull=True,
        building__organisation_id=period.organisation_id,
        resource__in=resources,
        installed_on__lte=month_end(month),
        status=Meter.Status.ACTIVE,
    )
    if building_ids is not None:
        meters = meters.filter(building_id__in=building_ids)
    return (
        meters.annotate(reading=Subquery(reading.values("value")[:1]))
        .order_by("building_id", "resource", "id")
        .values_list("building_id", "resource", "serial_number", "reading")
    )


def norms(period: BillingPeriod) -> dict[int, Norm]:
    """The норматив of each of the organisation's services in force in the month (one query)."""
    services = Service.objects.filter(organisation_id=period.organisation_id)
    return in_force(Norm, services, period.month)


NORM_UNITS = {Norm.Basis.PER_RESIDENT: "чел.", Norm.Basis.PER_M2: "м²"}


def norm_unit(norm: Norm, unit: str) -> str:
    """ "м³/чел." — a month's норматив per resident, "м³/м²" — per m² (of the premises or of the common area)."""
    return f"{unit}/{NORM_UNITS.get(norm.basis, norm.basis)}"
