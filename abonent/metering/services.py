"""Writing readings: the window, the checks of ПП РФ №354 and common sense, corrections, rejections, imports.

Every check lives in one pure function, `evaluate`, fed with facts read from the database; the portal, the
operator's form and the file import all go through it, so a rule changes in one place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from abonent.lib import bulk
from abonent.lib.dates import ru_date as fmt_date  # numbers and dates in messages: the pages' rules
from abonent.lib.inputs import has_non_ascii_digits, parse_id
from abonent.lib.numbers import format_decimal as fmt
from abonent.orgs.dates import add_months, month_label, month_start
from abonent.orgs.models import Organisation

from .models import Meter, Reading, ReadingMonth, Resource
from .rows import ModelColumns, converted

# A month's consumption above which a reading needs the sender's confirmation (and is flagged for operators),
# when it is also several times the meter's own average. Settings with these defaults, not constants (RULES.md).
DEFAULT_MONTHLY_CEILING = {
    Resource.COLD_WATER: Decimal("30"),
    Resource.HOT_WATER: Decimal("30"),
    Resource.GAS: Decimal("300"),
    Resource.ELECTRICITY: Decimal("2000"),
    Resource.HEAT: Decimal("5"),
}
DEFAULT_AVERAGE_FACTOR = Decimal("3")
# A reading below the previous one is a counter that went through zero only if the implied consumption is a
# small part of what the counter can show (99 999 → 00 012 is 13 м³; 99 999 → 50 000 is a typo).
ROLLOVER_SHARE = Decimal("0.1")
AVERAGE_MONTHS = 6  # п.59 «б» ПП РФ №354: the average over the last 6 months
# The columns of the confirmed save's one read (_locked_meters): the meter's, then an earlier reading's.
METER_COLUMNS = ModelColumns(Meter)
EARLIER_FIELDS = [Reading._meta.get_field("period"), Reading._meta.get_field("value")]

# Channels that bring readings after the fact (a bank's registry, an operator's file): a reading dated after
# the window counts for the next period instead of being refused (RULES.md).
LATE_CHANNELS = {Reading.Channel.IMPORT, Reading.Channel.BANK, Reading.Channel.OPERATOR}
# 0-9 only (re.ASCII): without it \d takes «５８» and Decimal() reads it as 58.
NUMBER = re.compile(r"^(\d+)(?:[.,](\d+))?$", re.ASCII)


class ReadingError(ValidationError):
    """A reading refused, with the Russian message to show. `code` says whether a confirmation would let it pass:
    "confirm_rollover" and "confirm_high" do, every other code does not."""

    def __init__(self, message, code="invalid", params=None):
        super().__init__(message, code=code, params=params)

    @property
    def text(self) -> str:
        return self.messages[0]


def monthly_ceiling(resource: str) -> Decimal:
    configured = getattr(settings, "READINGS_MONTHLY_CEILING", {}) or {}
    return Decimal(str(configured.get(resource, DEFAULT_MONTHLY_CEILING.get(resource, Decimal("1000")))))


def average_factor() -> Decimal:
    return Decimal(str(getattr(settings, "READINGS_AVERAGE_FACTOR", DEFAULT_AVERAGE_FACTOR)))


def meter_organisation(meter: Meter) -> Organisation:
    return meter.premises.building.organisation if meter.premises_id else meter.building.organisation


def meters_of_organisation_q(organisation_id: int, prefix: str = "") -> Q:
    """Meters of one organisation, in premises or on houses."""
    return Q(**{f"{prefix}premises__building__organisation_id": organisation_id}) | Q(
        **{f"{prefix}building__organisation_id": organisation_id}
    )


# --- parsing -------------------------------------------------------------------------------------------


def parse_value(text, *, digits_before: int, digits_after: int) -> Decimal:
    """What a person typed → a Decimal the meter could show, or ReadingError saying what is wrong."""
    raw = "" if text is None else str(text)
    cleaned = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise ReadingError(_("Введите показание."), code="empty")
    if cleaned.startswith("-"):
        raise ReadingError(_("Показание не может быть отрицательным."), code="negative")
    if has_non_ascii_digits(cleaned):
        raise ReadingError(_("Введите показание цифрами 0–9, например 123,45."), code="non_ascii_digits")
    match = NUMBER.match(cleaned)
    if not match:
        raise ReadingError(
            _("Показание — это число: только цифры и запятая, например 123,45. Введено: «%(text)s».")
            % {"text": raw.strip()[:40]},
            code="format",
        )
    whole, fraction = match.group(1), (match.group(2) or "")
    significant = whole.lstrip("0") or "0"
    if len(significant) > digits_before:
        raise ReadingError(
            _("У этого счётчика %(n)s цифр до запятой, а введено %(got)s.")
            % {"n": digits_before, "got": len(significant)},
            code="too_many_digits",
        )
    fraction = fraction.rstrip("0")
    if len(fraction) > digits_after:
        if digits_after == 0:
            message = _("Этот счётчик показывает только целые числа: введите показание без дробной части.")
        else:
            message = _("У этого счётчика %(n)s знака после запятой, а введено %(got)s.") % {
                "n": digits_after,
                "got": len(fraction),
            }
        raise ReadingError(message, code="too_many_decimals")
    try:
        return Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ReadingError(_("Показание — это число, например 123,45."), code="format") from None


# --- the window ----------------------------------------------------------------------------------------


def window_text(organisation: Organisation, month: dt.date) -> str:
    first, last = organisation.readings_window(month)
    return _("с %(first)s по %(last)s") % {"first": fmt_date(first), "last": fmt_date(last)}


def next_window(organisation: Organisation, day: dt.date) -> tuple[dt.date, dt.date]:
    """The window that is open on `day` or opens next."""
    first, last = organisation.readings_window(month_start(day))
    if day <= last:
        return first, last
    return organisation.readings_window(add_months(month_start(day), 1))


def period_for(organisation: Organisation, day: dt.date, channel: str) -> dt.date:
    """The period a reading sent on the organisation's local `day` belongs to, or ReadingError outside the window."""
    month = month_start(day)
    first, last = organisation.readings_window(month)
    if first <= day <= last:
        return month
    if channel in LATE_CHANNELS:
        # Before the window the month is still open; after it, the reading waits for the next period.
        return month if day < first else add_months(month, 1)
    opens, closes = next_window(organisation, day)
    raise ReadingError(
        _("Показания принимаются с %(first)s по %(last)s число месяца. Следующий приём: %(window)s.")
        % {
            "first": organisation.readings_first_day,
            "last": organisation.readings_last_day,
            "window": _("с %(a)s по %(b)s") % {"a": fmt_date(opens), "b": fmt_date(closes)},
        },
        code="window",
    )


# --- the facts and the verdict -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MeterFacts:
    """What the checks need to know about a meter, read in one go (also in bulk for imports)."""

    meter_id: int
    resource: str
    digits_before: int
    digits_after: int
    verification_due: dt.date
    status: str
    installed_on: dt.date
    closed_on: dt.date | None
    baseline: Decimal  # the last accepted (or not yet rejected) reading before the period, or the initial value
    baseline_period: dt.date | None
    average: Decimal | None  # average monthly consumption over the last 6 months, None if not known

    @classmethod
    def of(cls, meter: Meter, *, baseline, baseline_period, average) -> MeterFacts:
        return cls(
            meter_id=meter.pk,
            resource=meter.resource,
            digits_before=meter.digits_before,
            digits_after=meter.digits_after,
            verification_due=meter.verification_due,
            status=meter.status,
            installed_on=meter.installed_on,
            closed_on=meter.closed_on,
            baseline=baseline,
            baseline_period=baseline_period,
            average=average,
        )


@dataclasses.dataclass(frozen=True)
class Verdict:
    value: Decimal
    period: dt.date
    consumption: Decimal
    rollover: bool
    flagged: bool


def months_between(earlier: dt.date | None, later: dt.date) -> int:
    if earlier is None:
        return 1
    return max(1, (later.year - earlier.year) * 12 + later.month - earlier.month)


def closed_meter_message(facts: MeterFacts | Meter, day: dt.date) -> str | None:
    """Why a meter takes no readings on `day`, or None if it does. п.59, п.81(12) ПП РФ №354 (RULES.md)."""
    if (
        facts.status != Meter.Status.CLOSED
        and (facts.closed_on is None or facts.closed_on > day)
        and facts.installed_on <= day <= facts.verification_due
    ):
        return None  # the usual case, checked first: an import asks 100 000 times
    after = _(
        "До замены или поверки прибора начисление идёт по среднемесячному потреблению (не более 3 месяцев), "
        "затем по нормативу."
    )
    if facts.status == Meter.Status.CLOSED or (facts.closed_on is not None and facts.closed_on <= day):
        return _("Прибор учёта выведен из эксплуатации, показания по нему не принимаются. %(after)s") % {"after": after}
    if facts.installed_on > day:
        return _("Прибор учёта ещё не установлен: показания принимаются с %(day)s.") % {
            "day": fmt_date(facts.installed_on)
        }
    if facts.verification_due < day:
        return _(
            "Срок поверки прибора учёта истёк %(day)s: показания с него не принимаются к расчёту. %(after)s "
            "Закажите поверку или замену прибора и сообщите нам."
        ) % {"day": fmt_date(facts.verification_due), "after": after}
    return None


def evaluate(
    facts: MeterFacts,
    *,
    value: Decimal,
    period: dt.date,
    day: dt.date,
    confirm_rollover: bool,
    confirm_high: bool,
    ceiling: Decimal | None = None,
    factor: Decimal | None = None,
) -> Verdict:
    """Every rule for one reading, without the database: a Verdict, or ReadingError with the Russian reason.
    `ceiling` and `factor` default to the settings (an import passes them, read once)."""
    refusal = closed_meter_message(facts, day)
    if refusal:
        raise ReadingError(refusal, code="meter_closed")
    capacity = Decimal(10) ** facts.digits_before
    rollover = False
    if value >= facts.baseline:
        consumption = value - facts.baseline
    else:
        wrapped = capacity - facts.baseline + value
        if wrapped > capacity * ROLLOVER_SHARE:
            raise ReadingError(
                _("Показание %(value)s меньше предыдущего принятого (%(prev)s). Проверьте цифры до запятой.")
                % {"value": fmt(value, facts.digits_after), "prev": fmt(facts.baseline, facts.digits_after)},
                code="less_than_previous",
            )
        if not confirm_rollover:
            raise ReadingError(
                _(
                    "Показание %(value)s меньше предыдущего (%(prev)s). Если счётчик перешёл через ноль, "
                    "подтвердите это: расход составит %(used)s."
                )
                % {
                    "value": fmt(value, facts.digits_after),
                    "prev": fmt(facts.baseline, facts.digits_after),
                    "used": fmt(wrapped, facts.digits_after),
                },
                code="confirm_rollover",
            )
        consumption, rollover = wrapped, True
    # With no earlier reading the consumption runs from the installation (the initial value).
    months = months_between(facts.baseline_period or month_start(facts.installed_on), period)
    ceiling = (monthly_ceiling(facts.resource) if ceiling is None else ceiling) * months
    factor = average_factor() if factor is None else factor
    high = consumption > ceiling and (facts.average is None or consumption > facts.average * factor * months)
    if high and not confirm_high:
        raise ReadingError(
            _(
                "Расход %(used)s за %(months)s мес. необычно велик. Проверьте показание; если оно верно, "
                "подтвердите его — оператор его проверит."
            )
            % {"used": fmt(consumption, facts.digits_after), "months": months},
            code="confirm_high",
        )
    return Verdict(value=value, period=period, consumption=consumption, rollover=rollover, flagged=high or rollover)


# --- reading the facts from the database -------------------------------------------------------------


def counted_readings():
    """Readings that count as a meter's known values: current, not rejected, not estimated."""
    return (
        Reading.objects.filter(is_current=True)
        .exclude(status=Reading.Status.REJECTED)
        .exclude(channel=Reading.Channel.ESTIMATE)
    )


def average_from(points: list[tuple[dt.date, Decimal]]) -> Decimal | None:
    """Average monthly consumption from (period, value) pairs of at least two months, oldest first."""
    if len(points) < 2:
        return None
    (first_period, first_value), (last_period, last_value) = points[0], points[-1]
    months = months_between(first_period, last_period)
    used = last_value - first_value
    if used < 0:  # a rollover in the window: no sound average, so only the ceiling applies
        return None
    return used / months


def meter_facts(meter: Meter, period: dt.date) -> MeterFacts:
    """The facts for a reading of `meter` in `period`: one query."""
    earlier = list(
        counted_readings()
        .filter(meter=meter, period__lt=period)
        .order_by("-period")
        .values_list("period", "value")[: AVERAGE_MONTHS + 2]
    )
    return _facts(meter, earlier, period)


def local_day(organisation: Organisation, when: dt.datetime) -> dt.date:
    return when.astimezone(organisation.tz).date()


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
    _refuse_closed_period(organisation, period)
    facts = meter_facts(meter, period)
    return evaluate(
        facts, value=value, period=period, day=day, confirm_rollover=confirm_rollover, confirm_high=confirm_high
    )


def _refuse_closed_period(organisation: Organisation, period: dt.date) -> None:
    if period_readings_closed(organisation, period):
        raise _closed_period_error(period)


def period_readings_closed(organisation: Organisation, period: dt.date) -> bool:
    """Whether the month's readings are closed (billing's close records it here), whatever the calendar."""
    return ReadingMonth.objects.filter(organisation=organisation, month=period).exists()


def window_is_open(organisation: Organisation, period: dt.date, day: dt.date) -> bool:
    """What the readings page tells: open on the window's days, unless the month's readings are already closed
    (an early close): then a field to fill in would only lead to a refusal."""
    first, last = organisation.readings_window(period)
    return first <= day <= last and not period_readings_closed(organisation, period)


def _closed_period_error(period: dt.date) -> ReadingError:
    return ReadingError(
        _("Приём показаний за %(month)s закрыт: период уже рассчитывается.") % {"month": month_label(period)},
        code="period_closed",
    )


# --- writing -------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Submission:
    """One meter's value as a person or a file sent it, with the sender's confirmations."""

    meter_id: int
    text: str
    confirm_rollover: bool = False
    confirm_high: bool = False


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
            raise _closed_period_error(period)
        readings = []
        for submission in submissions:
            meter = meters[submission.meter_id]
            verdict = evaluate(
                _facts(meter, earlier.get(meter.pk, []), period),
                value=values[meter.pk],
                period=period,
                day=day,
                confirm_rollover=submission.confirm_rollover,
                confirm_high=submission.confirm_high,
            )
            readings.append(
                Reading(
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
            )
        _write_readings(readings, period)
        return readings


def _write_readings(readings: list[Reading], period: dt.date) -> None:
    """Retire the meters' current readings of `period` and insert `readings` as the current ones (their ids
    set): two statements. Raw SQL, as _locked_meters; values adapted by the database backend's own rules.
    (Merging the two into one PostgreSQL statement, a data-modifying WITH, measured no faster.)"""
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
            f"AND meter_id IN ({', '.join(['%s'] * len(meter_ids))})",
            [False, ops.adapt_datefield_value(period), *meter_ids],
        )
        cursor.execute(
            f"INSERT INTO metering_reading ({', '.join(columns)}) VALUES {', '.join([row] * len(readings))} "
            "RETURNING id, meter_id",  # one reading a meter; RETURNING's order is not promised
            params,
        )
        ids = dict((meter_id, pk) for pk, meter_id in cursor.fetchall())
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


def _facts(meter: Meter, earlier: list[tuple[dt.date, Decimal]], period: dt.date) -> MeterFacts:
    """MeterFacts from the earlier readings (newest first), as meter_facts reads them for one meter."""
    if earlier:
        baseline_period, baseline = earlier[0]
    else:
        baseline_period, baseline = None, meter.initial_value
    since = add_months(period, -(AVERAGE_MONTHS + 1))
    window = sorted(p for p in earlier if p[0] >= since)
    return MeterFacts.of(meter, baseline=baseline, baseline_period=baseline_period, average=average_from(window))


def reading_reject(*, reading: Reading, reason: str, actor) -> Reading:
    """An operator refuses a reading, saying why; the subscriber sees "Отклонено: <reason>"."""
    reason = (reason or "").strip()
    if not reason:
        raise ReadingError(_("Укажите причину отклонения."), code="no_reason")
    if len(reason) > 300:
        raise ReadingError(_("Причина отклонения — не длиннее 300 символов."), code="reason_too_long")
    with transaction.atomic():
        locked = Reading.objects.select_for_update().get(pk=reading.pk)
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
    return locked


def readings_close_month(*, organisation: Organisation, month: dt.date) -> int:
    """The month's close takes its readings: the pending ones are accepted and the month takes no more (of any
    channel). Idempotent; returns how many readings were accepted. Run inside the close's transaction, so a failed
    close leaves the month open."""
    accepted = readings_accept_period(organisation=organisation, period=month)
    ReadingMonth.objects.get_or_create(organisation=organisation, month=month, defaults={"closed_at": timezone.now()})
    return accepted


def readings_accept_period(*, organisation: Organisation, period: dt.date) -> int:
    """At the month's close: the current pending readings of the period become "Принято". Idempotent: returns
    how many changed (0 the second time)."""
    ids = Reading.objects.filter(
        meters_of_organisation_q(organisation.pk, "meter__"),
        period=period,
        status=Reading.Status.PENDING,
        is_current=True,
    ).values("pk")
    return Reading.objects.filter(pk__in=ids).update(status=Reading.Status.ACCEPTED)


# --- import --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class ImportRow:
    line: int
    account_number: str
    serial_number: str
    value_text: str
    day: dt.date | None
    day_error: str = ""


@dataclasses.dataclass
class ImportReport:
    total: int = 0
    imported: int = 0
    refused: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


def readings_import(*, organisation: Organisation, rows: Iterable[ImportRow], actor, channel=Reading.Channel.IMPORT):
    """Import a file's readings all or nothing: if any line is refused, nothing is saved and the report lists
    every refused line. A bank's or an operator's file cannot answer a question, so a plausible counter rollover
    or a high consumption is taken and flagged for operators rather than refused.

    Set-based: a fixed number of queries whatever the file's length (meters, earlier readings, one update per
    period, batched inserts)."""
    rows = list(rows)
    report = ImportReport(total=len(rows))
    if not rows:
        report.refused.append((0, _("В файле нет строк с показаниями.")))
        return report
    numbers = {r.account_number for r in rows}
    candidates = Meter.objects.filter(
        premises__accounts__organisation=organisation, premises__accounts__closed_on__isnull=True
    )
    if len(numbers) <= 1000:
        # A short file names its accounts; a long one covers much of the organisation, read whole.
        candidates = candidates.filter(premises__accounts__number__in=numbers)
    meters: dict[tuple[str, str], dict] = {}
    for m in candidates.values(
        "pk",
        "serial_number",
        "premises__accounts__number",
        "resource",
        "digits_before",
        "digits_after",
        "verification_due",
        "status",
        "installed_on",
        "closed_on",
        "initial_value",
    ).iterator(chunk_size=10_000):
        meters[(m["premises__accounts__number"], m["serial_number"])] = m

    # Periods and days first: then the earlier readings for all meters in one query.
    planned = []
    period_of: dict[dt.date, dt.date] = {}
    for row in rows:
        if row.day is None:
            report.refused.append((row.line, row.day_error or _("Не указана или неверна дата показания.")))
            continue
        meter = meters.get((row.account_number, row.serial_number))
        if meter is None:
            report.refused.append(
                (
                    row.line,
                    _("Счётчик № %(serial)s на лицевом счёте %(account)s не найден.")
                    % {"serial": row.serial_number, "account": row.account_number},
                )
            )
            continue
        try:
            value = parse_value(
                row.value_text, digits_before=meter["digits_before"], digits_after=meter["digits_after"]
            )
            period = period_of.get(row.day)
            if period is None:
                period = period_of[row.day] = period_for(organisation, row.day, channel)
        except ReadingError as exc:
            report.refused.append((row.line, exc.text))
            continue
        planned.append((row, meter, value, period))
    if report.refused:
        return report

    periods = {p for *_, p in planned}
    closed = set(
        ReadingMonth.objects.filter(organisation=organisation, month__in=periods).values_list("month", flat=True)
    )
    earliest = add_months(min(periods), -(AVERAGE_MONTHS + 1))
    history: dict[int, list[tuple[dt.date, Decimal]]] = {}
    meter_ids = {m["pk"] for _r, m, _v, _p in planned}
    for meter_id, period, value in (
        counted_readings()
        .filter(meters_of_organisation_q(organisation.pk, "meter__"), period__gte=earliest, period__lt=max(periods))
        .order_by("meter_id", "period")
        .values_list("meter_id", "period", "value")
        .iterator(chunk_size=20_000)
    ):
        if meter_id in meter_ids:
            history.setdefault(meter_id, []).append((period, value))
    # Meters without history in the last months: their latest earlier reading, if any (one query).
    missing = [mid for mid in meter_ids if mid not in history]
    older: dict[int, tuple[dt.date, Decimal]] = {}
    if missing:
        for chunk_start in range(0, len(missing), 5000):
            chunk = missing[chunk_start : chunk_start + 5000]
            for meter_id, period, value in (
                counted_readings()
                .filter(meter_id__in=chunk, period__lt=earliest)
                .order_by("meter_id", "-period")
                .values_list("meter_id", "period", "value")
            ):
                older.setdefault(meter_id, (period, value))

    # Lines of one meter are checked in date order, each against the one before (the last one counts).
    planned.sort(key=lambda item: (item[1]["pk"], item[0].day, item[0].line))
    now = timezone.now()
    new_readings: list[list] = []
    ceilings: dict[str, Decimal] = {}
    factor = average_factor()
    noon_of: dict[dt.date, dt.datetime] = {}
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    last_of: dict[tuple[int, dt.date], int] = {}
    chosen_base: dict[tuple[int, dt.date], tuple[dt.date | None, Decimal]] = {}
    latest_line: dict[int, tuple[dt.date, Decimal]] = {}
    for row, meter, value, period in planned:
        if period in closed:
            report.refused.append(
                (row.line, _("Приём показаний за %(month)s закрыт.") % {"month": month_label(period)})
            )
            continue
        meter_id = meter["pk"]
        points = [p for p in history.get(meter_id, []) if p[0] < period]
        key = (meter_id, period)
        if key not in chosen_base:
            # Several lines of one meter and period are each compared with the same earlier reading;
            # a line of an earlier period in the same file is that earlier reading.
            if meter_id in latest_line and latest_line[meter_id][0] < period:
                chosen_base[key] = latest_line[meter_id]
            elif points:
                chosen_base[key] = points[-1]
            elif meter_id in older:
                chosen_base[key] = older[meter_id]
            else:
                chosen_base[key] = (None, meter["initial_value"])
        baseline_period, baseline = chosen_base[key]
        since = add_months(period, -(AVERAGE_MONTHS + 1))
        facts = MeterFacts(
            meter_id=meter_id,
            resource=meter["resource"],
            digits_before=meter["digits_before"],
            digits_after=meter["digits_after"],
            verification_due=meter["verification_due"],
            status=meter["status"],
            installed_on=meter["installed_on"],
            closed_on=meter["closed_on"],
            baseline=baseline,
            baseline_period=baseline_period,
            average=average_from([p for p in points if p[0] >= since]),
        )
        try:
            verdict = evaluate(
                facts,
                value=value,
                period=period,
                day=row.day,
                confirm_rollover=True,
                confirm_high=True,
                ceiling=ceilings.get(facts.resource)
                or ceilings.setdefault(facts.resource, monthly_ceiling(facts.resource)),
                factor=factor,
            )
        except ReadingError as exc:
            report.refused.append((row.line, exc.text))
            continue
        latest_line[meter_id] = (period, value)
        submitted_at = noon_of.get(row.day)
        if submitted_at is None:
            submitted_at = noon_of[row.day] = min(
                dt.datetime.combine(row.day, dt.time(12, 0), tzinfo=organisation.tz), now
            )
        # Plain rows, not model instances: 100 000 of them go to the database by COPY (see insert_readings).
        new_readings.append(
            [meter_id, period, verdict.value, submitted_at, actor_id, channel, Reading.Status.PENDING.value, "",
             False, verdict.rollover, verdict.flagged]
        )  # fmt: skip
        last_of[key] = len(new_readings) - 1
    if report.refused:
        report.refused.sort()
        return report
    for index in last_of.values():
        new_readings[index][8] = True  # is_current: the last line of a meter and period counts

    with transaction.atomic():
        by_period: dict[dt.date, list[int]] = {}
        for meter_id, period in last_of:
            by_period.setdefault(period, []).append(meter_id)
        for period, ids in by_period.items():
            # Earlier readings of these meters in the period stay in history but no longer count.
            uncurrent(period, ids)
        insert_readings(new_readings)
    report.imported = len(new_readings)
    return report


def uncurrent(period: dt.date, meter_ids: list[int]) -> None:
    """The current readings of these meters in `period` stop being current: one statement on PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Reading._meta.db_table} AS r SET is_current = false "
                "FROM unnest(%s::bigint[]) AS m(id) WHERE r.meter_id = m.id AND r.period = %s AND r.is_current",
                [meter_ids, period],
            )
        return
    for start in range(0, len(meter_ids), 500):
        Reading.objects.filter(meter_id__in=meter_ids[start : start + 500], period=period, is_current=True).update(
            is_current=False
        )


INSERT_COLUMNS = (
    "meter_id",
    "period",
    "value",
    "submitted_at",
    "submitted_by_id",
    "channel",
    "status",
    "reject_reason",
    "is_current",
    "rollover",
    "flagged",
)


ANALYZE_AFTER = 10_000  # rows inserted at once that make the table's statistics stale


def insert_readings(records: list[list]) -> None:
    """Insert many readings: COPY on PostgreSQL (several times faster than INSERTs), bulk_create elsewhere."""
    bulk.insert_rows(Reading, INSERT_COLUMNS, records, batch_size=2000)
    if connection.vendor == "postgresql" and len(records) >= ANALYZE_AFTER:
        # The planner's statistics still say the period has no readings: until autovacuum catches up,
        # the portal's "retire the current reading" would scan the whole period by its (period, status)
        # index instead of the meter's — 145 → 50 submissions/s after a 100 000-line import.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Reading._meta.db_table}")
