"""Reading a billing's file into a header and text rows, whatever its format: CSV (the encoding detected and
checked by payments' registry_encoding, the same rule as for bank registries), XLSX (openpyxl) and DBF (dbfread,
the encoding from the file's language driver byte, checked against the detected one). A file that cannot be read
is refused whole (ExchangeRefused) before any line is looked at.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
from dbfread import DBF
from dbfread.exceptions import DBFNotFound, MissingMemoFile
from dbfread.field_parser import FieldParser

from abonent.payments import registry_encoding

from .errors import ExchangeRefused

FORMATS = ("csv", "xlsx", "dbf")
# dBase language driver bytes of the code pages a Russian billing writes (0 — not stated).
DBF_CODEPAGES = {0x65: "cp866", 0x26: "cp866", 0xC9: "cp1251", 0x57: "cp1251"}


class DecimalParser(FieldParser):
    """Numbers of a DBF as Decimal, digit for digit: dbfread's default reads them as binary floats."""

    def parseN(self, field, data):
        text = data.strip().strip(b"*").decode("ascii", "replace")
        return Decimal(text) if text else None

    parseF = parseN


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number as the operator sees it, cells as text)
    encoding: str  # what the file was read as ("xlsx" for a workbook)


def file_format(file_name: str, declared: str | None = None) -> str:
    fmt = (declared or Path(file_name).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ExchangeRefused([f"неизвестный формат файла «{file_name}»: нужен CSV, XLSX или DBF"])
    return fmt


def read(data: bytes, fmt: str, *, encoding: str = "auto", separator: str = ";") -> Table:
    if not data:
        raise ExchangeRefused(["файл пуст"])
    if fmt == "csv":
        return _csv(data, encoding, separator)
    if fmt == "xlsx":
        return _xlsx(data)
    return _dbf(data, encoding)


def checked_encoding(detected: str | None, declared: str, *, what: str = "файл") -> str:
    """The encoding to read with: the detected one, refused when the organisation's mapping names another."""
    if (
        declared != "auto"
        and detected
        and registry_encoding.canonical(detected) != registry_encoding.canonical(declared)
    ):
        raise ExchangeRefused(
            [
                f"{what} в кодировке {registry_encoding.describe(detected)}, а настройка обмена ожидает "
                f"{registry_encoding.describe(declared)}: выгрузите файл в нужной кодировке или исправьте настройку"
            ]
        )
    return detected or (declared if declared != "auto" else "utf-8")


def _csv(data: bytes, declared: str, separator: str) -> Table:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    detected = registry_encoding.detect(data)
    if detected is None and not data.isascii():
        raise ExchangeRefused(["кодировка файла не распознана: нужен UTF-8, cp1251 (Windows-1251) или cp866 (DOS)"])
    encoding = checked_encoding(detected, declared)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ExchangeRefused([f"файл не читается в кодировке {registry_encoding.describe(encoding)}"]) from exc
    numbered = []
    for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=separator), start=1):
        stripped = [c.strip() for c in cells]
        if any(stripped):
            numbered.append((n, stripped))
    if not numbered:
        raise ExchangeRefused(["в файле нет строк"])
    (_, headers), rows = numbered[0], numbered[1:]
    return Table(headers, rows, registry_encoding.canonical(encoding))


def _xlsx(data: bytes) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError or its own errors for a file that is not XLSX
        raise ExchangeRefused(["файл не является книгой XLSX (повреждён или другого формата)"]) from exc
    sheet = workbook.worksheets[0]
    numbered = [
        (n, [_cell_text(v) for v in values])
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        if any(v not in (None, "") for v in values)
    ]
    workbook.close()
    if not numbered:
        raise ExchangeRefused(["на первом листе книги нет строк"])
    (_, headers), rows = numbered[0], numbered[1:]
    return Table(headers, rows, "xlsx")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # a number typed into Excel: its shortest decimal form, not the binary float's digits
        return str(Decimal(repr(value)))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def _dbf(data: bytes, declared: str) -> Table:
    records, header_length, record_length = _dbf_header(data)
    body = data[header_length : header_length + records * record_length]
    detected = registry_encoding.detect(body)
    stated = DBF_CODEPAGES.get(data[29])
    if stated and detected and registry_encoding.canonical(stated) != registry_encoding.canonical(detected):
        raise ExchangeRefused(
            [
                f"файл DBF объявляет кодировку {registry_encoding.describe(stated)}, а его текст — в "
                f"{registry_encoding.describe(detected)}: файл записан неверно"
            ]
        )
    encoding = checked_encoding(detected or stated, declared)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "billing.dbf"
        path.write_bytes(data)
        try:
            table = DBF(str(path), encoding=encoding, char_decode_errors="strict", parserclass=DecimalParser)
            headers = list(table.field_names)
            rows = [(n, [_cell_text(v) for v in record.values()]) for n, record in enumerate(table, start=1)]
        except (UnicodeDecodeError, ArithmeticError, ValueError, DBFNotFound, MissingMemoFile, struct.error) as exc:
            raise ExchangeRefused([f"файл DBF не читается: {exc}"]) from exc
    return Table(headers, rows, registry_encoding.canonical(encoding))


def _dbf_header(data: bytes) -> tuple[int, int, int]:
    """(records, header length, record length); a file shorter than its header says is refused as truncated."""
    if len(data) < 32 or data[0] not in (0x03, 0x83, 0x30, 0x31, 0xF5, 0x8B):
        raise ExchangeRefused(["файл не является таблицей DBF"])
    records, header_length, record_length = struct.unpack("<IHH", data[4:12])
    expected = header_length + records * record_length
    if len(data) < expected:
        whole = max(0, (len(data) - header_length) // record_length) if record_length else 0
        raise ExchangeRefused(
            [
                f"файл DBF обрезан: заголовок обещает {records} записей, целых в файле — {whole} (ожидалось {expected} байт, получено {len(data)})"
            ]
        )
    return records, header_length, record_length
