"""Export to the organisation's billing: readings (for a month, or submitted since a date) and credited payments
(card, cash desk, bank; since a date), in the formats of the import (CSV, XLSX, DBF) with a summary line. Rows are
ordered by their id, and nothing in the file depends on the moment it is made, so exporting the same selection twice
gives the same bytes; `since_last` selects only the rows after the last export of the same kind (its high-water id,
kept on the audit record, ExchangeFile).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from abonent.metering.admin_readings import account_number_subquery
from abonent.metering.models import Reading
from abonent.payments.models import Payment

from . import dbf_write, files
from .models import BillingMapping, ExchangeFile

ZERO = Decimal("0")
SUMMARY = "ИТОГО"


@dataclass(frozen=True)
class Shape:
    headers: list[str]
    dbf: list[dbf_write.Column]


READINGS = Shape(
    ["ЛС", "Заводской номер", "Ресурс", "Период", "Показание", "Дата передачи", "Способ"],
    [
        dbf_write.Column("LS", "C", 20),
        dbf_write.Column("ZAVNOM", "C", 40),
        dbf_write.Column("RESURS", "C", 40),
        dbf_write.Column("PERIOD", "C", 7),
        dbf_write.Column("POKAZ", "N", 18, 6),
        dbf_write.Column("DATA", "C", 10),
        dbf_write.Column("SPOSOB", "C", 30),
    ],
)
PAYMENTS = Shape(
    ["ЛС", "Дата оплаты", "Сумма", "Способ", "Идентификатор", "Плательщик"],
    [
        dbf_write.Column("LS", "C", 20),
        dbf_write.Column("DATA", "C", 10),
        dbf_write.Column("SUMMA", "N", 16, 2),
        dbf_write.Column("SPOSOB", "C", 30),
        dbf_write.Column("IDPLAT", "C", 100),
        dbf_write.Column("PLATELSHIK", "C", 200),
    ],
)


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
        .select_related("meter")
        .order_by("id")
    )
    if month:
        readings = readings.filter(period=month)
    if since:
        start = dt.datetime.combine(since, dt.time(), tzinfo=organisation.tz)
        readings = readings.filter(submitted_at__gte=start)
    if after_id:
        readings = readings.filter(id__gt=after_id)
    return [
        (
            r.id,
            [
                r.account_number or "",
                r.meter.serial_number,
                r.meter.get_resource_display(),
                r.period.strftime("%m.%Y"),
                r.value,
                r.submitted_at.astimezone(organisation.tz).date(),
                r.get_channel_display(),
            ],
        )
        for r in readings
    ]


def payments_rows(organisation, *, month=None, since=None, after_id=None) -> list[tuple[int, list]]:
    payments = (
        Payment.objects.filter(organisation=organisation, status=Payment.Status.CREDITED)
        .select_related("account")
        .order_by("id")
    )
    if month:
        payments = payments.filter(paid_on__year=month.year, paid_on__month=month.month)
    if since:
        payments = payments.filter(paid_on__gte=since)
    if after_id:
        payments = payments.filter(id__gt=after_id)
    return [
        (
            p.id,
            [
                p.account.number,
                p.paid_on,
                p.amount,
                p.get_channel_display(),
                p.external_id or str(p.order),
                p.payer_name,
            ],
        )
        for p in payments
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
    shape, select = (READINGS, readings_rows) if kind == "readings" else (PAYMENTS, payments_rows)
    after_id = _last_high_water(organisation, kind) if since_last else None
    numbered = select(organisation, month=month, since=since, after_id=after_id)
    rows = [row for _, row in numbered]
    summary = _summary(kind, rows, len(shape.headers))
    data = _render(fmt, shape, rows, summary, encoding)
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
    """ИТОГО, the number of rows and, for payments, their sum; padded to the table's width."""
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
