"""Reading files of readings (CSV or XLSX) into rows, and writing readings out (CSV or XLSX).

Columns, in this order: account number; meter serial number; value; date (ДД.ММ.ГГГГ, ДД/ММ/ГГГГ or
ГГГГ-ММ-ДД). A first line that is not data (a header) is skipped. CSV may be UTF-8 or Windows-1251, separated
by ";", "," or a tab — banks and operators send all of these.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from .services import ImportRow

DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y")


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
    from openpyxl import load_workbook

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


# --- export --------------------------------------------------------------------------------------------

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
