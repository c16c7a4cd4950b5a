"""Importing a file of readings (CSV or XLSX), all or nothing, in four phases:

1. parse — the file into rows (read_rows): account number; meter serial number; value; date (ДД.ММ.ГГГГ,
   ДД/ММ/ГГГГ or ГГГГ-ММ-ДД). A first line that is not data (a header) is skipped. CSV may be UTF-8 or
   Windows-1251, separated by ";", "," or a tab — banks and operators send all of these;
2. match — each row to a meter of the organisation's open accounts, its value parsed and its period found;
3. check — each line by the same checks as the portal's (checks.evaluate), against the meter's earlier readings
   read for the whole file at once;
4. write — the meters' current readings of the periods retired, the new ones inserted by COPY.

Set-based: a fixed number of queries whatever the file's length.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abonent.lib import bulk
from abonent.orgs.dates import add_months
from abonent.orgs.models import Organisation

from . import tally
from .checks import AVERAGE_MONTHS, MeterFacts, average_factor, average_from, evaluate, monthly_ceiling, parse_value
from .errors import ReadingError
from .lookups import counted_readings, meters_of_organisation_q
from .models import Meter, Reading
from .window import closed_month_refusal, closed_months, period_for

DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y")
ANALYZE_AFTER = 10_000  # rows inserted at once that make the table's statistics stale
SHORT_FILE_ACCOUNTS = 1000  # a file naming more accounts than this reads the organisation's meters whole
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
IS_CURRENT = INSERT_COLUMNS.index("is_current")
PERIOD, CHANNEL, STATUS = (INSERT_COLUMNS.index(name) for name in ("period", "channel", "status"))


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


# --- 1. parse: the file into rows ----------------------------------------------------------------------


class FileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, empty...)."""


def parse_day(value) -> tuple[dt.date | None, str]:
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    return parse_day_text(str(value or "").strip())


@functools.lru_cache(maxsize=1024)
def parse_day_text(text: str) -> tuple[dt.date | None, str]:
    # A file's lines mostly share a few dates: each distinct text is parsed once.
    if not text:
        return None, _("Не указана дата показания.")
    text = text.split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date(), ""  # noqa: DTZ007 - a calendar date, no time in it
        except ValueError:
            continue
    return None, _("Неверная дата «%(text)s»: нужна дата вида ДД.ММ.ГГГГ.") % {"text": text[:20]}


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_rows(records: Iterable[list], first_line: int = 1) -> list[ImportRow]:
    rows = []
    for offset, record in enumerate(records):
        line = first_line + offset
        cells = list(record) + [None] * (4 - len(record))
        if not any(cell_text(c) for c in cells[:4]):
            continue  # blank lines are not lines
        account, serial, value, day = (cells[0], cells[1], cells[2], cells[3])
        if offset == 0 and not cell_text(account).isdigit():
            continue  # a header
        parsed_day, day_error = parse_day(day)
        rows.append(
            ImportRow(
                line=line,
                account_number=cell_text(account),
                serial_number=cell_text(serial),
                value_text=cell_text(value),
                day=parsed_day,
                day_error=day_error,
            )
        )
    return rows


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(_("Файл не в кодировке UTF-8 или Windows-1251."))  # pragma: no cover - cp1251 decodes any byte


def read_csv(data: bytes) -> list[ImportRow]:
    text = decode(data)
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count) if sample else ";"
    return to_rows(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_xlsx(data: bytes) -> list[ImportRow]:
    from openpyxl import load_workbook  # noqa: PLC0415  (openpyxl, ≈0.14 s, only for an XLSX file)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise FileError(_("Файл XLSX не читается: %(error)s") % {"error": exc}) from None
    sheet = workbook.worksheets[0]
    return to_rows(list(row) for row in sheet.iter_rows(values_only=True))


def read_rows(data: bytes, filename: str) -> list[ImportRow]:
    if not data:
        raise FileError(_("Файл пуст."))
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data)
    if filename.lower().endswith((".csv", ".txt")):
        return read_csv(data)
    raise FileError(_("Нужен файл CSV или XLSX."))


# --- the import, phase by phase ------------------------------------------------------------------------


def readings_import(*, organisation: Organisation, rows: Iterable[ImportRow], actor, channel=Reading.Channel.IMPORT):
    """Import a file's readings all or nothing: if any line is refused, nothing is saved and the report lists
    every refused line. A bank's or an operator's file cannot answer a question, so a plausible counter rollover
    or a high consumption is taken and flagged for operators rather than refused."""
    rows = list(rows)
    report = ImportReport(total=len(rows))
    if not rows:
        report.refused.append((0, _("В файле нет строк с показаниями.")))
        return report
    meters = _meters_of_accounts(organisation, {r.account_number for r in rows})
    planned = _matched(organisation, rows, meters, channel, report)
    if report.refused:
        return report
    checker = _Checker(organisation, planned, channel=channel, actor=actor)
    for row, meter, value, period in checker.planned:
        refusal = checker.check(row, meter, value, period)
        if refusal:
            report.refused.append((row.line, refusal))
    if report.refused:
        report.refused.sort()
        return report
    _write(checker.records, checker.last_of, checker.organisation)
    report.imported = len(checker.records)
    return report


# --- 2. match: rows to meters, values and periods ------------------------------------------------------


def _meters_of_accounts(organisation: Organisation, numbers: set[str]) -> dict[tuple[str, str], dict]:
    """{(account number, serial number): the meter's fields} of the organisation's open accounts."""
    candidates = Meter.objects.filter(
        premises__accounts__organisation=organisation, premises__accounts__closed_on__isnull=True
    )
    if len(numbers) <= SHORT_FILE_ACCOUNTS:
        # A short file names its accounts; a long one covers much of the organisation, read whole.
        candidates = candidates.filter(premises__accounts__number__in=numbers)
    fields = ("pk", "serial_number", "premises__accounts__number", "resource", "digits_before", "digits_after")
    fields += ("verification_due", "status", "installed_on", "closed_on", "initial_value")
    return {
        (m["premises__accounts__number"], m["serial_number"]): m
        for m in candidates.values(*fields).iterator(chunk_size=10_000)
    }


def _matched(organisation, rows: list[ImportRow], meters: dict, channel: str, report: ImportReport) -> list[tuple]:
    """[(row, meter, value, period)] of the rows whose meter, value and period are known; the others refused."""
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
    return planned


# --- 3. check: each line against the meter's earlier readings ------------------------------------------


def _history(organisation, planned: list[tuple]):
    """The earlier readings of the file's meters, read for the whole file: ({meter id: [(period, value)] of the
    last AVERAGE_MONTHS + 1 months before the file's latest period, oldest first}, {meter id: its latest older
    reading} for meters without any in those months)."""
    periods = {p for *_, p in planned}
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
    # Meters without history in the last months: their latest earlier reading, if any (one query a 5 000).
    missing = [mid for mid in meter_ids if mid not in history]
    older: dict[int, tuple[dt.date, Decimal]] = {}
    for chunk_start in range(0, len(missing), 5000):
        chunk = missing[chunk_start : chunk_start + 5000]
        for meter_id, period, value in (
            counted_readings()
            .filter(meter_id__in=chunk, period__lt=earliest)
            .order_by("meter_id", "-period")
            .values_list("meter_id", "period", "value")
        ):
            older.setdefault(meter_id, (period, value))
    return history, older


class _Checker:
    """Checks the file's lines in order, each of one meter against the one before (the last one counts), and
    collects the rows to insert."""

    def __init__(self, organisation: Organisation, planned: list[tuple], *, channel: str, actor):
        self.organisation, self.channel = organisation, channel
        self.actor_id = actor.pk if getattr(actor, "pk", None) else None
        self.closed = closed_months(organisation, {p for *_, p in planned})
        self.history, self.older = _history(organisation, planned)
        # Lines of one meter are checked in date order, each against the one before (the last one counts).
        self.planned = sorted(planned, key=lambda item: (item[1]["pk"], item[0].day, item[0].line))
        self.now = timezone.now()
        self.factor = average_factor()
        self.ceilings: dict[str, Decimal] = {}
        self.noon_of: dict[dt.date, dt.datetime] = {}
        self.chosen_base: dict[tuple[int, dt.date], tuple[dt.date | None, Decimal]] = {}
        self.latest_line: dict[int, tuple[dt.date, Decimal]] = {}
        self.records: list[list] = []  # plain rows, not model instances: 100 000 of them go by COPY
        self.last_of: dict[tuple[int, dt.date], int] = {}

    def check(self, row: ImportRow, meter: dict, value: Decimal, period: dt.date) -> str | None:
        """The line's refusal, or None once its record is collected."""
        if period in self.closed:
            return closed_month_refusal(period)
        facts = self._facts(meter, period)
        try:
            verdict = evaluate(
                facts,
                value=value,
                period=period,
                day=row.day,
                confirm_rollover=True,
                confirm_high=True,
                ceiling=self._ceiling(facts.resource),
                factor=self.factor,
            )
        except ReadingError as exc:
            return exc.text
        self.latest_line[facts.meter_id] = (period, value)
        self.records.append(
            [facts.meter_id, period, verdict.value, self._submitted_at(row.day), self.actor_id, self.channel,
             Reading.Status.PENDING.value, "", False, verdict.rollover, verdict.flagged]
        )  # fmt: skip
        self.last_of[(facts.meter_id, period)] = len(self.records) - 1
        return None

    def _facts(self, meter: dict, period: dt.date) -> MeterFacts:
        meter_id = meter["pk"]
        points = [p for p in self.history.get(meter_id, []) if p[0] < period]
        baseline_period, baseline = self._baseline(meter, period, points)
        since = add_months(period, -(AVERAGE_MONTHS + 1))
        return MeterFacts(
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

    def _baseline(self, meter: dict, period: dt.date, points: list) -> tuple[dt.date | None, Decimal]:
        """Several lines of one meter and period are each compared with the same earlier reading; a line of an
        earlier period in the same file is that earlier reading."""
        meter_id, key = meter["pk"], (meter["pk"], period)
        if key not in self.chosen_base:
            if meter_id in self.latest_line and self.latest_line[meter_id][0] < period:
                self.chosen_base[key] = self.latest_line[meter_id]
            elif points:
                self.chosen_base[key] = points[-1]
            elif meter_id in self.older:
                self.chosen_base[key] = self.older[meter_id]
            else:
                self.chosen_base[key] = (None, meter["initial_value"])
        return self.chosen_base[key]

    def _ceiling(self, resource: str) -> Decimal:
        if resource not in self.ceilings:
            self.ceilings[resource] = monthly_ceiling(resource)
        return self.ceilings[resource]

    def _submitted_at(self, day: dt.date) -> dt.datetime:
        """Noon of the line's day in the organisation's zone (a file gives no time), never later than now."""
        if day not in self.noon_of:
            noon = dt.datetime.combine(day, dt.time(12, 0), tzinfo=self.organisation.tz)
            self.noon_of[day] = min(noon, self.now)
        return self.noon_of[day]


# --- 4. write ------------------------------------------------------------------------------------------


def _write(records: list[list], last_of: dict[tuple[int, dt.date], int], organisation: Organisation) -> None:
    """The last line of a meter and period becomes its current reading; earlier readings of these meters in the
    period stay in history but no longer count. The periods' counters (metering.tally) change with them."""
    for index in last_of.values():
        records[index][IS_CURRENT] = True
    by_period: dict[dt.date, list[int]] = {}
    for meter_id, period in last_of:
        by_period.setdefault(period, []).append(meter_id)
    added = [(r[PERIOD], r[CHANNEL], r[STATUS]) for r in records if r[IS_CURRENT]]
    with transaction.atomic():
        retired = [row for period, ids in by_period.items() for row in uncurrent(period, ids)]
        insert_readings(records)
        tally.tally_add(organisation.pk, tally.changes_of(added, retired))


def uncurrent(period: dt.date, meter_ids: list[int]) -> list[tuple[dt.date, str, str]]:
    """The current readings of these meters in `period` stop being current: one statement on PostgreSQL.
    Returns them as (period, channel, status), for the counters."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Reading._meta.db_table} AS r SET is_current = false "
                "FROM unnest(%s::bigint[]) AS m(id) WHERE r.meter_id = m.id AND r.period = %s AND r.is_current "
                "RETURNING r.channel, r.status",
                [meter_ids, period],
            )
            return [(period, channel, status) for channel, status in cursor.fetchall()]
    retired = []
    for start in range(0, len(meter_ids), 500):
        current = Reading.objects.filter(meter_id__in=meter_ids[start : start + 500], period=period, is_current=True)
        retired += [(period, channel, status) for channel, status in current.values_list("channel", "status")]
        current.update(is_current=False)
    return retired


def insert_readings(records: list[list]) -> None:
    """Insert many readings: COPY on PostgreSQL (several times faster than INSERTs), bulk_create elsewhere."""
    bulk.insert_rows(Reading, INSERT_COLUMNS, records, batch_size=2000)
    if connection.vendor == "postgresql" and len(records) >= ANALYZE_AFTER:
        # The planner's statistics still say the period has no readings: until autovacuum catches up,
        # the portal's "retire the current reading" would scan the whole period by its (period, status)
        # index instead of the meter's — 145 → 50 submissions/s after a 100 000-line import.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Reading._meta.db_table}")
