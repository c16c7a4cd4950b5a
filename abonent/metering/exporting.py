"""The readings registry written out as a spreadsheet (CSV or XLSX, lib.tables): its header and rows."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from abonent.lib.tables import Table

LIMIT = 200_000  # rows in one file: a spreadsheet opens it

EXPORT_HEADER = [
    "Лицевой счёт",
    "Адрес",
    "Заводской номер",
    "Ресурс",
    "Период",
    "Показание",
    "Передано",
    "Способ",
    "Статус",
    "Действующее",
    "Большой расход",
    "Причина отклонения",
]


def export_records(readings, tz) -> Iterator[list]:
    """Rows for a spreadsheet: `readings` annotated with account_number (see admin_readings)."""
    for r in readings:
        meter = r.meter
        address = str(meter.premises) if meter.premises_id else meter.building.address
        yield [
            getattr(r, "account_number", "") or "",
            address,
            meter.serial_number,
            meter.get_resource_display(),
            r.period.strftime("%m.%Y"),
            r.value.normalize() if r.value == r.value.to_integral() else r.value,
            r.submitted_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
            r.get_channel_display(),
            r.get_status_display(),
            "да" if r.is_current else "нет",
            "да" if r.flagged else "",
            r.reject_reason,
        ]


def readings_table(readings, organisation) -> Table:
    """The selected readings (annotated as in the admin) as a table, in the organisation's time zone."""
    tz = organisation.tz if organisation else timezone.get_current_timezone()
    readings = readings.select_related("meter__premises__building", "meter__building")[:LIMIT]
    stamp = timezone.now().astimezone(tz).strftime("%Y%m%d-%H%M")
    total = min(readings.count(), LIMIT)
    return Table(
        f"readings-{stamp}", "Показания", EXPORT_HEADER, export_records(readings.iterator(chunk_size=5000), tz), total
    )
