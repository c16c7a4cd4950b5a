"""The readings work queue: what a dispatcher should look at before the month closes.

A reading is in the queue while it is still pending, current and not yet looked at (ReadingReview) when:
its consumption is unusually large (metering.checks flagged it), it is below the previous one (taken as a
rollover on the sender's confirmation: a decrease is never saved otherwise), or its meter's verification has
expired. Beside them, the meters that have sent nothing for three months or more.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from abonent.metering.models import Reading
from abonent.orgs.dates import add_months, month_start

from .dashboard import meters_of
from .models import ReadingReview

SILENT_MONTHS = 3
REASONS = {
    "high": "Большой расход",
    "rollover": "Меньше прежнего (переход через ноль)",
    "verification": "Истекла поверка",
}


def _org_readings(organisation):
    return Reading.objects.filter(
        Q(meter__premises__building__organisation=organisation) | Q(meter__building__organisation=organisation)
    )


def attention(organisation, kind: str | None = None):
    """Pending current readings needing a look, oldest first, with their meter and account."""
    today = organisation.today()
    reviewed = ReadingReview.objects.filter(reading_id=OuterRef("pk"))
    conditions = {
        "high": Q(flagged=True),
        "rollover": Q(rollover=True),
        "verification": Q(meter__verification_due__lt=today),
    }
    wanted = conditions[kind] if kind in conditions else conditions["high"] | conditions["rollover"] | conditions[
        "verification"]  # fmt: skip
    return (
        _org_readings(organisation)
        .filter(wanted, status=Reading.Status.PENDING, is_current=True)
        .exclude(Exists(reviewed))
        .select_related("meter__premises__building", "meter__building")
        .order_by("submitted_at", "id")
    )


def reasons_of(reading, today) -> list[str]:
    found = []
    if reading.flagged:
        found.append(REASONS["high"])
    if reading.rollover:
        found.append(REASONS["rollover"])
    if reading.meter.verification_due < today:
        found.append(REASONS["verification"])
    return found


def silent_meters(organisation, limit: int = 200):
    """Active meters with no reading (but estimates and rejected ones) in the last SILENT_MONTHS months."""
    since = add_months(month_start(organisation.today()), -(SILENT_MONTHS - 1))
    recent = (
        Reading.objects.filter(meter_id=OuterRef("pk"), period__gte=since)
        .exclude(channel=Reading.Channel.ESTIMATE)
        .exclude(status=Reading.Status.REJECTED)
    )
    return (
        meters_of(organisation)
        .exclude(Exists(recent))
        .select_related("premises__building", "building")
        .order_by("premises__building__address", "premises__number", "serial_number")[:limit]
    )
