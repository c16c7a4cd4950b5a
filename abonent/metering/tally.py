"""The readings received in a period, by channel (ReadingTally), and the active meters (MeterTally) of an
organisation, kept as counters by the writes themselves.

Counting them afresh means joining every meter of a city to its readings (a third of a second for 100 000 meters
on the office's busiest page); the counters make it a read of a few rows. Every write that changes which readings
count — a submission (portal, API, operator, bank), a file import, an operator's refusal — adds its changes in
its own transaction, set-based: +1 for each counted reading it inserts, −1 for each counted one it retires or
refuses. Increments commute, so concurrent writers never lose each other's changes, and the rows are updated in
the channels' order, so two writers never wait on each other crosswise. Bulk writes outside these paths (the
demo's history, a benchmark's generated city) end with `tally_recount`, as does `manage.py readings_tally`.

A reading counts when it is current, not rejected and not an estimate (lookups.counted_readings).

A meter is saved one at a time (the admin, the register's forms): its save moves the counter of the organisation
it counted in before and of the one it counts in now (receivers below, connected by the app). A premises or a
house moved to another organisation recounts both. Meters are closed, never deleted (readings protect them);
an organisation purged takes its counters with it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from abonent.housing.models import Building, Premises
from abonent.orgs.models import Organisation

from .lookups import counted_readings
from .models import Meter, MeterTally, Reading, ReadingTally

# The roads from a meter to its organisation: a meter is in a flat or on a house.
ROADS = ("meter__premises__building__organisation_id", "meter__building__organisation_id")

UPSERT = """
INSERT INTO {table} (organisation_id, period, channel, received) VALUES {rows}
ON CONFLICT (organisation_id, period, channel) DO UPDATE SET received = {table}.received + excluded.received
"""


def counts(channel: str, status: str, is_current: bool = True) -> bool:
    """Whether a reading with these values is counted (the rule of lookups.counted_readings, on values)."""
    return is_current and channel != Reading.Channel.ESTIMATE and status != Reading.Status.REJECTED


def tally_add(organisation_id: int, changes: Counter) -> None:
    """Add `changes` — {(period, channel): +n or −n} — to the organisation's counters: one statement."""
    rows = sorted((key, n) for key, n in changes.items() if n)
    if not rows:
        return
    params: list = []
    for (period, channel), n in rows:
        params += [organisation_id, connection.ops.adapt_datefield_value(period), channel, n]
    sql = UPSERT.format(table=ReadingTally._meta.db_table, rows=", ".join(["(%s, %s, %s, %s)"] * len(rows)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def changes_of(added: Iterable[tuple[dt.date, str, str]], retired: Iterable[tuple[dt.date, str, str]]) -> Counter:
    """The counters' changes for readings inserted as current (`added`) and current ones retired or refused
    (`retired`), each given as (period, channel, status) before the change."""
    changes: Counter = Counter()
    for sign, readings in ((1, added), (-1, retired)):
        for period, channel, status in readings:
            if counts(channel, status):
                changes[(period, channel)] += sign
    return changes


def tally_of(organisation, period: dt.date) -> dict[str, int]:
    """The readings counted in `period`, by channel (channels without any are absent)."""
    rows = ReadingTally.objects.filter(organisation=organisation, period=period, received__gt=0)
    return dict(rows.values_list("channel", "received"))


def recounted(organisation, periods: Iterable[dt.date] | None = None) -> dict[tuple[dt.date, str], int]:
    """The counters as the readings themselves give them, counted afresh (what the counters must equal)."""
    found: Counter = Counter()
    for road in ROADS:
        rows = counted_readings().filter(**{road: organisation.pk})
        if periods is not None:
            rows = rows.filter(period__in=list(periods))
        for row in rows.values("period", "channel").annotate(n=Count("id")).order_by():
            found[(row["period"], row["channel"])] += row["n"]
    return dict(found)


def tally_recount(organisation, periods: Iterable[dt.date] | None = None) -> int:
    """Rebuild the organisation's counters (of readings of `periods`, or all, and of meters) from the readings and
    the meters; returns the readings' rows written."""
    periods = None if periods is None else list(periods)
    with transaction.atomic():
        MeterTally.objects.update_or_create(
            organisation=organisation, defaults={"active": meters_counted(organisation)}
        )
        stale = ReadingTally.objects.filter(organisation=organisation)
        if periods is not None:
            stale = stale.filter(period__in=periods)
        stale.delete()
        rows = [ReadingTally(organisation=organisation, period=period, channel=channel, received=n)
                for (period, channel), n in recounted(organisation, periods).items()]  # fmt: skip
        ReadingTally.objects.bulk_create(rows)
    return len(rows)


# --- meters ----------------------------------------------------------------------------------------------------

METER_ROADS = ("premises__building__organisation_id", "building__organisation_id")
METERS_UPSERT = """
INSERT INTO {table} (organisation_id, active) VALUES {rows}
ON CONFLICT (organisation_id) DO UPDATE SET active = {table}.active + excluded.active
"""


def active_meters(organisation) -> int:
    """The organisation's active meters, from its counter."""
    return MeterTally.objects.filter(organisation=organisation).values_list("active", flat=True).first() or 0


def meters_counted(organisation) -> int:
    """The organisation's active meters counted afresh (what the counter must equal)."""
    active = Meter.objects.filter(status=Meter.Status.ACTIVE)
    return sum(active.filter(**{road: organisation.pk}).count() for road in METER_ROADS)


def _counted_in(meter_id) -> int | None:
    """The organisation a saved meter counts in: its own while active, none when closed."""
    row = Meter.objects.filter(pk=meter_id, status=Meter.Status.ACTIVE).values_list(*METER_ROADS).first()
    return next((org for org in row if org is not None), None) if row else None


def meters_add(changes: Counter) -> None:
    rows = sorted((org, n) for org, n in changes.items() if org is not None and n)
    if not rows:
        return
    sql = METERS_UPSERT.format(table=MeterTally._meta.db_table, rows=", ".join(["(%s, %s)"] * len(rows)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


@receiver(pre_save, sender=Meter, dispatch_uid="metering.tally.meter_before")
def _meter_before(sender, instance: Meter, **kwargs) -> None:
    instance._counted_before = _counted_in(instance.pk) if instance.pk else None


@receiver(post_save, sender=Meter, dispatch_uid="metering.tally.meter_after")
def _meter_after(sender, instance: Meter, **kwargs) -> None:
    changes: Counter = Counter()
    changes[getattr(instance, "_counted_before", None)] -= 1
    changes[_counted_in(instance.pk)] += 1
    meters_add(changes)


def _organisation_of(model, pk) -> int | None:
    road = "building__organisation_id" if model is Premises else "organisation_id"
    return model.objects.filter(pk=pk).values_list(road, flat=True).first() if pk else None


@receiver(pre_save, sender=Premises, dispatch_uid="metering.tally.premises_before")
@receiver(pre_save, sender=Building, dispatch_uid="metering.tally.building_before")
def _place_before(sender, instance, **kwargs) -> None:
    instance._organisation_before = _organisation_of(sender, instance.pk)


@receiver(post_save, sender=Premises, dispatch_uid="metering.tally.premises_after")
@receiver(post_save, sender=Building, dispatch_uid="metering.tally.building_after")
def _place_after(sender, instance, created: bool = False, **kwargs) -> None:
    """A flat or a house moved to another organisation takes its meters along: both are recounted."""
    before, now = getattr(instance, "_organisation_before", None), _organisation_of(sender, instance.pk)
    if created or before == now:
        return
    for organisation in Organisation.objects.filter(pk__in=[o for o in (before, now) if o is not None]):
        MeterTally.objects.update_or_create(
            organisation=organisation, defaults={"active": meters_counted(organisation)}
        )
