"""Tables as files: CSV (Excel's Russian dialect: `;`, CRLF and a BOM) and XLSX (openpyxl), one writer for the
subscriber's pages and the back office's exports.

Cells keep their type: a Decimal is a number ("1234,56" in CSV; in XLSX a number shown with two to six decimals),
a date is "31.12.2026" (in XLSX a date cell of that format), None is empty. The XLSX is written in openpyxl's
write-only mode, so a back-office export of 100 000 rows never holds the workbook in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse

from .numbers import format_decimal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMAT = "#,##0.00####"  # kopecks always, tariffs and volumes to their last significant decimal
DATE_FORMAT = "DD.MM.YYYY"


@dataclass
class Table:
    name: str  # file name without extension, ASCII
    title: str  # the sheet's name (31 characters at most)
    headers: list[str]
    rows: Iterable[list]  # a generator is fine: each format reads it once
    total: int | None = None  # how many rows, when known beforehand (a background export's progress)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # The value's own places, but not the stored zeros past the kopecks ("12,500000" → "12,50"), at most six,
        # as the XLSX shows it; never "1E+1" for a normalized 10; no grouping, so a spreadsheet reads a number.
        places = min(6, max(0, -value.as_tuple().exponent))
        return format_decimal(value, places, min_places=min(places, 2), grouped=False)
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415  (openpyxl, ≈0.14 s, only when a workbook is made)

    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, float(value))  # a spreadsheet number; the kopecks survive as two decimal places
        cell.number_format = NUMBER_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415  (as above: the pages that import this seldom write XLSX)

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31])
    for i, header in enumerate(table.headers):  # widths first: a write-only sheet takes them before any row
        sheet.column_dimensions[_column_letter(i)].width = max(12, len(header) + 2)
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415  (as above)

    return get_column_letter(index + 1)


FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": (XLSX, to_xlsx),
}


def response(table: Table, fmt: str) -> HttpResponse:
    """The table as a download: `fmt` is a key of FORMATS ("csv", "xlsx")."""
    content_type, render = FORMATS[fmt]
    result = HttpResponse(render(table), content_type=content_type)
    result["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return result
