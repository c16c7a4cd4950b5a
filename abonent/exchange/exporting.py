"""Export to the organisation's billing: readings (for a month, or submitted since a date) and credited payments
(card, cash desk, bank; since a date), in the formats of the import (CSV, XLSX, DBF) with a summary line. Rows are
ordered by their id, and nothing in the file depends on the moment it is made, so exporting the same selection twice
gives the same bytes; `since_last` selects only the rows after the last export of the same kind (its high-water id,
kept on the audit record, ExchangeFile).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from abonent.metering.admin_readings import account_number_subquery
from abonent.metering.models import Meter, Reading
from abonent.payments.models import Payment

from . import dbf_write, files
from .errors import ExchangeRefused
from .models import BillingMapping, ExchangeFile
from .month_import import mapping_of

ZERO = Decimal("0")
SUMMARY = "ИТОГО"


@dataclass(frozen=True)
class Shape:
    headers: list[str]
    dbf: list[dbf_write.Column]
    positions: list[int]  # which of the standard columns, in the file's order

    def pick(self, row: list) -> list:
        return [row[i] for i in self.positions]


# field → (standard header, DBF column), in the standard order; the operator's mapping may rename, reorder, omit
READING_FIELDS = {
    "account": ("ЛС", dbf_write.Column("LS", "C", 20)),
    "serial": ("Заводской номер", dbf_write.Column("ZAVNOM", "C", 40)),
    "resource": ("Ресурс", dbf_write.Column("RESURS", "C", 40)),
    "period": ("Период", dbf_write.Column("PERIOD", "C", 7)),
    "value": ("Показание", dbf_write.Column("POKAZ", "N", 18, 6)),
    "date": ("Дата передачи", dbf_write.Column("DATA", "C", 10)),
    "channel": ("Способ", dbf_write.Column("SPOSOB", "C", 30)),
}
PAYMENT_FIELDS = {
    "account": ("ЛС", dbf_write.Column("LS", "C", 20)),
    "paid_on": ("Дата оплаты", dbf_write.Column("DATA", "C", 10)),
    "amount": ("Сумма", dbf_write.Column("SUMMA", "N", 16, 2)),
    "channel": ("Способ", dbf_write.Column("SPOSOB", "C", 30)),
    "reference": ("Идентификатор", dbf_write.Column("IDPLAT", "C", 100)),
    "payer": ("Плательщик", dbf_write.Column("PLATELSHIK", "C", 200)),
}
EXPORT_FIELDS = {"readings": READING_FIELDS, "payments": PAYMENT_FIELDS}
DBF_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,9}$")


def shape_of(kind: str, organisation) -> Shape:
    """The export's columns: BillingMapping.columns[kind] — a list of fields, each a name or [name, header] — or
    every standard column; the account's header is the import layout's (the same mapping both ways)."""
    fields = EXPORT_FIELDS[kind]
    layout, _ = mapping_of(organisation)
    mapping = BillingMapping.objects.filter(organisation=organisation).first()
    chosen = (mapping.columns or {}).get(kind) if mapping else None
    pairs = [_pair(kind, item) for item in chosen] if chosen else [(name, None) for name in fields]
    names = list(fields)
    headers, dbf = [], []
    for name, header in pairs:
        standard, column = fields[name]
        headers.append(header or (layout.columns["account"] if name == "account" else standard))
        dbf.append(_dbf_column(column, header))
    return Shape(headers, dbf, [names.index(name) for name, _ in pairs])


def _pair(kind: str, item) -> tuple[str, str | None]:
    name, header = (
        (item, None) if isinstance(item, str) else ([*item, None][:2] if isinstance(item, list) else (item, None))
    )
    if not isinstance(name, str) or name not in EXPORT_FIELDS[kind]:
        known = ", ".join(EXPORT_FIELDS[kind])
        raise ExchangeRefused([f"в настройке обмена для выгрузки «{kind}» неизвестное поле «{name}»: есть {known}"])
    return name, (str(header).strip() or None) if header is not None else None


def _dbf_column(column: dbf_write.Column, header: str | None) -> dbf_write.Column:
    """The operator's header as the DBF field's name when dBase can hold it (10 Latin characters), else the
    standard name."""
    if header and DBF_NAME.match(header):
        return dbf_write.Column(header.upper(), column.kind, column.length, column.decimals)
    return column


@dataclass
class Export:
    data: bytes
    file: ExchangeFile
    rows: int


def readings_rows(organisation, *, month=None, since=None, after_id=None) -> list[tuple[int, list]]:
    readings = (
        Reading.objects.filter(
            Q(meter__premises__building__organisation=organisation) | Q(meter__building__organisation=organisation)
        )
        .exclude(status=Reading.Status.REJECTED)
        .exclude(channel=Reading.Channel.ESTIMATE)
        .filter(is_current=True)
        .annotate(account_number=account_number_subquery())
        .order_by("id")
    )
    if month:
        readings = readings.filter(period=month)
    if since:
        start = dt.datetime.combine(since, dt.time(), tzinfo=organisation.tz)
        readings = readings.filter(submitted_at__gte=start)
    if after_id:
        readings = readings.filter(id__gt=after_id)
    # the choices' Russian labels looked up once: get_FOO_display per row was nine tenths of a 100 000-row export
    resources, channels, tz = _labels(Meter.resource), _labels(Reading.channel), organisation.tz
    fields = ("id", "account_number", "meter__serial_number", "meter__resource", "period", "value", "submitted_at")
    return [
        (
            pk,
            [
                number or "",
                serial,
                resources.get(resource, resource),
                period.strftime("%m.%Y"),
                value,
                submitted.astimezone(tz).date(),
                channels.get(channel, channel),
            ],
        )
        for pk, number, serial, resource, period, value, submitted, channel in readings.values_list(*fields, "channel")
    ]


def _labels(field) -> dict[str, str]:
    return {value: str(label) for value, label in field.field.choices}


def payments_rows(organisation, *, month=None, since=None, after_id=None) -> list[tuple[int, list]]:
    payments = Payment.objects.filter(organisation=organisation, status=Payment.Status.CREDITED).order_by("id")
    if month:
        payments = payments.filter(paid_on__year=month.year, paid_on__month=month.month)
    if since:
        payments = payments.filter(paid_on__gte=since)
    if after_id:
        payments = payments.filter(id__gt=after_id)
    channels = _labels(Payment.channel)
    fields = ("id", "account__number", "paid_on", "amount", "channel", "external_id", "order", "payer_name")
    return [
        (pk, [number, paid_on, amount, channels.get(channel, channel), external_id or str(order), payer])
        for pk, number, paid_on, amount, channel, external_id, order, payer in payments.values_list(*fields)
    ]


def billing_export(
    *,
    organisation,
    kind: str,
    fmt: str,
    month=None,
    since=None,
    since_last: bool = False,
    encoding: str | None = None,
    actor=None,
) -> Export:
    """Write the export and its audit record; `kind` "readings" or "payments". The encoding of a CSV or DBF is
    the one given, else the organisation's exchange setting (BillingMapping), else Windows-1251."""
    encoding = encoding or _mapping_encoding(organisation)
    shape = shape_of(kind, organisation)
    select = readings_rows if kind == "readings" else payments_rows
    after_id = _last_high_water(organisation, kind) if since_last else None
    numbered = select(organisation, month=month, since=since, after_id=after_id)
    rows = [row for _, row in numbered]
    summary = _summary(kind, rows, len(EXPORT_FIELDS[kind]))
    data = _render(fmt, shape, [shape.pick(row) for row in rows], shape.pick(summary), encoding)
    parameters = f"месяц={month:%m.%Y}" if month else ""
    parameters += f" с={since:%d.%m.%Y}" if since else ""
    parameters += " после последней выгрузки" if since_last else ""
    stored = ExchangeFile.objects.create(
        organisation=organisation,
        kind=kind,
        month=month,
        status=ExchangeFile.Status.EXPORTED,
        file_name=f"{kind}-{organisation.code}.{fmt}",
        content=data,
        checksum=hashlib.sha256(data).hexdigest(),
        file_format=fmt,
        encoding="xlsx" if fmt == "xlsx" else encoding,
        lines=len(rows),
        total_to_pay=summary[2] if kind == "payments" else ZERO,
        high_water=max((pk for pk, _ in numbered), default=after_id),
        parameters=parameters.strip(),
        channel="command",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return Export(data, stored, len(rows))


def _mapping_encoding(organisation) -> str:
    mapping = BillingMapping.objects.filter(organisation=organisation).first()
    return mapping.encoding if mapping and mapping.encoding != "auto" else "cp1251"


def _last_high_water(organisation, kind: str) -> int | None:
    last = (
        ExchangeFile.objects.filter(organisation=organisation, kind=kind, status=ExchangeFile.Status.EXPORTED)
        .exclude(high_water__isnull=True)
        .order_by("-id")
        .values_list("high_water", flat=True)
        .first()
    )
    return last


def _summary(kind: str, rows: list[list], width: int) -> list:
    """ИТОГО, the number of rows and, for payments, their sum, in the standard columns (account, the next one,
    the amount); padded to the table's width, then placed as the mapping places those columns."""
    total = sum((row[2] for row in rows), ZERO) if kind == "payments" else ""
    line = [SUMMARY, len(rows), total]
    return line + [""] * (width - len(line))


def _render(fmt: str, shape: Shape, rows: list[list], summary: list, encoding: str) -> bytes:
    if fmt == "csv":
        return files.to_csv(shape.headers, rows, summary, encoding)
    if fmt == "xlsx":
        return files.to_xlsx(shape.headers, rows, summary)
    dbf_rows = [[_dbf_value(c, v) for c, v in zip(shape.dbf, row, strict=True)] for row in [*rows, summary]]
    return files.to_dbf(shape.dbf, dbf_rows, encoding)


def _dbf_value(column: dbf_write.Column, value):
    if column.kind == "N":
        return value if isinstance(value, Decimal) else (Decimal(value) if value != "" else None)
    return value.strftime("%d.%m.%Y") if isinstance(value, dt.date) else value
