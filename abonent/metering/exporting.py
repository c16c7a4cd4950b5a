"""The readings registry written out as a spreadsheet (CSV or XLSX, lib.tables): its header and rows."""

from __future__ import annotations

from collections.abc import Iterator

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
