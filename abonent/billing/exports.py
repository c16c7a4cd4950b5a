"""Tables of the subscriber's pages as CSV (Excel's Russian dialect: `;` and a BOM) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse


@dataclass
class Table:
    name: str  # file name without extension, ASCII
    title: str
    headers: list[str]
    rows: list[list]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append(table.headers)
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                cells.append(float(value))  # a spreadsheet number; the kopecks survive as two decimal places
            else:
                cells.append(value)
        sheet.append(cells)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00####"
            elif hasattr(cell.value, "strftime"):
                cell.number_format = "DD.MM.YYYY"
    for i, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(12, len(header) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


def response(table: Table, fmt: str) -> HttpResponse:
    content_type, render = FORMATS[fmt]
    result = HttpResponse(render(table), content_type=content_type)
    result["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return result
