"""Writing a table (header, rows, a summary line) in the formats a billing reads: CSV in the organisation's
encoding, XLSX and DBF. The same rows always give the same bytes: the XLSX's timestamps (inside the zip and in its
document properties) are fixed, so an export made twice can be compared byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl

from . import dbf_write

FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def to_csv(headers: list[str], rows: list[list], summary: list, encoding: str) -> bytes:
    lines = [headers, *rows, summary]
    text = "".join(";".join(_text(v).replace(";", ",") for v in line) + "\r\n" for line in lines)
    return text.encode(encoding, errors="strict")


def to_xlsx(headers: list[str], rows: list[list], summary: list) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Выгрузка"
    for line in (headers, *rows, summary):
        sheet.append([v if isinstance(v, Decimal | int) else _text(v) for v in line])
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = rb"\g<1>2000-01-01T00:00:00Z\g<2>"
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", stamp, content)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def to_dbf(columns: list[dbf_write.Column], rows: list[list], encoding: str) -> bytes:
    """DBF has no room for a summary line: the summary travels in the export's audit record and in the CSV/XLSX."""
    return dbf_write.write(columns, rows, encoding=encoding)
