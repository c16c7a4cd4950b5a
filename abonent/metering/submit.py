"""Writing a person's readings: one meter or a whole form at once, after every check (checks.py) under the
meters' row locks; and an operator's rejection. The confirmed save is the busiest write of the month: its reads
and writes are raw SQL, three statements whatever the number of meters (bench/readings.py measures it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abonent.lib.inputs import parse_id
from abonent.orgs.dates import add_months
from abonent.orgs.models import Organisation

from . import tally
from .checks import (
    AVERAGE_MONTHS,
    MeterFacts,
    Verdict,
    average_from,
    closed_meter_message,
    evaluate,
    parse_value,
)
from .errors import ReadingError
from .lookups import counted_readings, meter_organisation
from .models import Meter, Reading, ReadingMonth
from .rows import ModelColumns, converted
from .signals import readings_submitted
from .window import closed_period_error, local_day, period_for, refuse_closed_period

# The columns of the confirmed save's one read (_locked_meters): the meter's, then an earlier reading's.
METER_COLUMNS = ModelColumns(Meter)
EARLIER_FIELDS = [Reading._meta.get_field("period"), Reading._meta.get_field("value")]


@dataclasses.dataclass(frozen=True)
class Submission:
    """One meter's value as a person or a file sent it, with the sender's confirmations."""

    meter_id: int
    text: str
    confirm_rollover: bool = False
    confirm_high: bool = False


# --- the facts of a meter ------------------------------------------------------------------------------


def meter_facts(meter: Meter, period: dt.date) -> MeterFacts:
    """The facts for a reading of `meter` in `period`: one query."""
    earlier = list(
        counted_readings()
        .filter(meter=meter, period__lt=period)
        .order_by("-period")
        .values_list("period", "value")[: AVERAGE_MONTHS + 2]
    )
    return facts_from(meter, earlier, period)


def facts_from(meter: Meter, earlier: list[tuple[dt.date, Decimal]], period: dt.date) -> MeterFacts:
    """MeterFacts from the earlier readings (newest first), as meter_facts reads them for one meter."""
    if earlier:
        baseline_period, baseline = earlier[0]
    else:
        baseline_period, baseline = None, meter.initial_value
    since = add_months(period, -(AVERAGE_MONTHS + 1))
    window = sorted(p for p in earlier if p[0] >= since)
    return MeterFacts.of(meter, baseline=baseline, baseline_period=baseline_period, average=average_from(window))


# --- checking and saving -------------------------------------------------------------------------------


def reading_check(
    *,
    meter: Meter,
    value_text,
    channel: str,
    when: dt.datetime | None = None,
    confirm_rollover: bool = False,
    confirm_high: bool = False,
    organisation: Organisation | None = None,
) -> Verdict:
    """All the checks of reading_submit, nothing written: "Рассчитать расход" uses it."""
    organisation = organisation or meter_organisation(meter)
    when = when or timezone.now()
    day = local_day(organisation, when)
    value = parse_value(value_text, digits_before=meter.digits_before, digits_after=meter.digits_after)
    refusal = closed_meter_message(meter, day)
    if refusal:
        raise ReadingError(refusal, code="meter_closed")
    period = period_for(organisation, day, channel)
    refuse_closed_period(organisation, period)
    facts = meter_facts(meter, period)
    return evaluate(
        facts, value=value, period=period, day=day, confirm_rollover=confirm_rollover, confirm_high=confirm_high
    )


def reading_submit(
    *,
    meter: Meter,
    value_text,
    user,
    channel: str,
    when: dt.datetime | None = None,
    confirm_rollover: bool = False,
    confirm_high: bool = False,
) -> Reading:
    """Save one meter's reading after every check (readings_submit for one meter)."""
    organisation = meter_organisation(meter)
    submission = Submission(meter.pk, value_text, confirm_rollover, confirm_high)
    return readings_submit(organisation=organisation, submissions=[submission], user=user, channel=channel, when=when)[
        0
    ]


def readings_submit(
    *,
    organisation: Organisation,
    submissions: list[Submission],
    user,
    channel: str,
    when: dt.datetime | None = None,
    premises_id: int | None = None,
) -> list[Reading]:
    """Save the readings of several meters at once, all or none, after every check. A second one in the same
    period replaces the first as the current one; both are kept. Two at once for one meter queue on the meter's
    row lock, and the partial unique constraint guarantees a single current reading whatever happens.
    `premises_id` limits the meters to one premises (the subscriber's form): any other meter is refused.

    Three statements whatever the number of meters (the portal's form is the busiest write of the month): lock the
    meters (and read whether the period is closed and their earlier readings), retire the current ones, insert."""
    when = when or timezone.now()
    day = local_day(organisation, when)
    try:
        period, window_error = period_for(organisation, day, channel), None
    except ReadingError as exc:  # said after the values' own errors, as reading_check does
        period, window_error = None, exc
    with transaction.atomic():
        meters, period_closed, earlier = _locked_meters(
            [s.meter_id for s in submissions], premises_id=premises_id, organisation=organisation, period=period
        )
        values = _parsed_values(meters, submissions, day)
        if window_error is not None:
            raise window_error
        if period_closed:
            raise closed_period_error(period)
        readings = [
            _checked_reading(meters[s.meter_id], s, earlier, values, period=period, day=day, when=when, user=user,
                             channel=channel)
            for s in submissions
        ]  # fmt: skip
        _write_readings(readings, period, organisation)
        readings_submitted.send(sender=Reading, readings=readings, organisation=organisation)
        return readings


def _checked_reading(meter: Meter, submission: Submission, earlier, values, *, period, day, when, user, channel):
    """The Reading to insert for one submission, once evaluate let it pass."""
    verdict = evaluate(
        facts_from(meter, earlier.get(meter.pk, []), period),
        value=values[meter.pk],
        period=period,
        day=day,
        confirm_rollover=submission.confirm_rollover,
        confirm_high=submission.confirm_high,
    )
    return Reading(
        meter=meter,
        period=period,
        value=verdict.value,
        submitted_at=when,
        submitted_by=user if getattr(user, "pk", None) else None,
        channel=channel,
        rollover=verdict.rollover,
        flagged=verdict.flagged,
        is_current=True,
    )


def _write_readings(readings: list[Reading], period: dt.date, organisation: Organisation) -> None:
    """Retire the meters' current readings of `period` and insert `readings` as the current ones (their ids
    set), then the period's counters (metering.tally): three statements. Raw SQL, as _locked_meters; values
    adapted by the database backend's own rules. (Merging the first two into one PostgreSQL statement, a
    data-modifying WITH, measured no faster.)"""
    ops = connection.ops
    meter_ids = [r.meter_id for r in readings]
    columns = ("meter_id", "period", "value", "submitted_at", "submitted_by_id", "channel", "status")
    columns += ("reject_reason", "is_current", "rollover", "flagged")
    params: list = []
    for r in readings:
        params += [r.meter_id, ops.adapt_datefield_value(r.period), ops.adapt_decimalfield_value(r.value)]
        params += [ops.adapt_datetimefield_value(r.submitted_at), r.submitted_by_id, r.channel, r.status]
        params += [r.reject_reason, r.is_current, r.rollover, r.flagged]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE metering_reading SET is_current = %s WHERE is_current AND period = %s "
            f"AND meter_id IN ({', '.join(['%s'] * len(meter_ids))}) RETURNING channel, status",
            [False, ops.adapt_datefield_value(period), *meter_ids],
        )
        retired = [(period, channel, status) for channel, status in cursor.fetchall()]
        cursor.execute(
            f"INSERT INTO metering_reading ({', '.join(columns)}) VALUES {', '.join([row] * len(readings))} "
            "RETURNING id, meter_id",  # one reading a meter; RETURNING's order is not promised
            params,
        )
        ids = dict((meter_id, pk) for pk, meter_id in cursor.fetchall())
    tally.tally_add(organisation.pk, tally.changes_of([(period, r.channel, r.status) for r in readings], retired))
    for reading in readings:
        reading.pk = ids[reading.meter_id]
        reading._state.adding, reading._state.db = False, connection.alias


def _parsed_values(meters: dict[int, Meter], submissions: list[Submission], day: dt.date) -> dict[int, Decimal]:
    """{meter id: the value} once every meter exists, takes readings on `day`, and each text is a valid value."""
    values = {}
    for submission in submissions:
        meter = meters.get(submission.meter_id)
        if meter is None:
            raise ReadingError(_("Такого счётчика на этом лицевом счёте нет."), code="unknown_meter")
        values[meter.pk] = parse_value(
            submission.text, digits_before=meter.digits_before, digits_after=meter.digits_after
        )
        refusal = closed_meter_message(meter, day)
        if refusal:
            raise ReadingError(refusal, code="meter_closed")
    return values


def _locked_meters(
    meter_ids: list[int], *, premises_id: int | None, organisation: Organisation, period: dt.date | None
) -> tuple[dict[int, Meter], bool, dict[int, list[tuple[dt.date, Decimal]]]]:
    """The meters, each row locked until the transaction ends (PostgreSQL; SQLite writes one at a time anyway);
    whether `period` is already closed for readings; and {meter id: its last AVERAGE_MONTHS + 2 counted readings
    before `period`, newest first}. One raw query: this runs on every submission, and the ORM's compiling, or a
    second round trip to the database, would cost more than the query. Earlier periods' readings are read from the
    statement's snapshot, taken before the lock is granted: what a concurrent submission writes is the current
    period's, which this does not read."""
    # An id beyond the column's range is no meter (a file or a form may send anything); the raw query would
    # fail with OverflowError on it. Left out here, it is reported as an unknown meter like any other.
    ids = sorted({meter_id for meter_id in meter_ids if parse_id(meter_id) is not None})
    if not ids:
        return {}, False, {}
    marks = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT {METER_COLUMNS.sql}, EXISTS (
            SELECT 1 FROM {ReadingMonth._meta.db_table} WHERE organisation_id = %s AND month = %s
        ), earlier.period, earlier.value
        FROM metering_meter LEFT JOIN (
            SELECT meter_id, period, value, ROW_NUMBER() OVER (PARTITION BY meter_id ORDER BY period DESC) AS place
            FROM metering_reading
            WHERE meter_id IN ({marks}) AND period < %s AND is_current AND status <> %s AND channel <> %s
        ) AS earlier ON earlier.meter_id = metering_meter.id AND earlier.place <= %s
        WHERE metering_meter.id IN ({marks})
    """
    params: list = [organisation.pk, period, *ids, period]
    params += [Reading.Status.REJECTED.value, Reading.Channel.ESTIMATE.value, AVERAGE_MONTHS + 2, *ids]
    if premises_id is not None:
        sql += " AND metering_meter.premises_id = %s"
        params.append(premises_id)
    # One order for every caller: two forms locking the same meters cannot deadlock.
    sql += " ORDER BY metering_meter.id, earlier.period DESC"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE OF metering_meter"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    meters: dict[int, Meter] = {}
    earlier: dict[int, list[tuple[dt.date, Decimal]]] = {}
    period_closed = False
    for row in rows:
        meter_id, closed = row[METER_COLUMNS.pk_index], row[METER_COLUMNS.width]
        period_closed = period_closed or bool(closed)
        if meter_id not in meters:
            meters[meter_id] = METER_COLUMNS.instance(row)
        point = row[METER_COLUMNS.width + 1 :]
        if point[0] is not None:
            earlier.setdefault(meter_id, []).append(tuple(converted(EARLIER_FIELDS, point)))
    return meters, period_closed, earlier


# --- an operator's refusal ------------------------------------------------------------------------------


def reading_reject(*, reading: Reading, reason: str, actor) -> Reading:
    """An operator refuses a reading, saying why; the subscriber sees "Отклонено: <reason>"."""
    reason = (reason or "").strip()
    if not reason:
        raise ReadingError(_("Укажите причину отклонения."), code="no_reason")
    if len(reason) > 300:
        raise ReadingError(_("Причина отклонения — не длиннее 300 символов."), code="reason_too_long")
    with transaction.atomic():
        locked = Reading.objects.select_for_update().get(pk=reading.pk)
        was = locked.status
        if locked.status == Reading.Status.ACCEPTED:
            raise ReadingError(
                _("Показание уже принято к расчёту; исправьте его новым показанием или перерасчётом."),
                code="already_accepted",
            )
        if locked.channel == Reading.Channel.ESTIMATE:
            raise ReadingError(_("Расчётное показание не отклоняют."), code="estimate")
        locked.status = Reading.Status.REJECTED
        locked.reject_reason = reason
        locked.rejected_at = timezone.now()
        locked.rejected_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["status", "reject_reason", "rejected_at", "rejected_by"])
        _untally(locked, was)
    return locked


def _untally(reading: Reading, status_before: str) -> None:
    """A refused current reading no longer counts: its period's counter loses it (one refused twice, or no
    longer current, was not counted)."""
    if reading.is_current:
        changes = tally.changes_of([], [(reading.period, reading.channel, status_before)])
        tally.tally_add(meter_organisation(reading.meter).pk, changes)
