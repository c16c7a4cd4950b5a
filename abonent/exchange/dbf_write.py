"""A minimal dBase III writer (character and numeric fields) for the files Abonent sends to a billing: what old
billings read. The code page is stated in the header's language driver byte, as readers.DBF_CODEPAGES reads it."""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass

LANGUAGE_DRIVERS = {"cp866": 0x65, "cp1251": 0xC9}


@dataclass(frozen=True)
class Column:
    name: str  # at most 10 Latin characters
    kind: str = "C"  # "C" text, "N" number
    length: int = 40
    decimals: int = 0


def write(columns: list[Column], rows: list[list], *, encoding: str = "cp866", today: dt.date | None = None) -> bytes:
    today = today or dt.date(2000, 1, 1)  # a fixed date: the same rows give the same file
    record_length = 1 + sum(c.length for c in columns)
    header_length = 32 + 32 * len(columns) + 1
    head = struct.pack(
        "<BBBBIHH20x", 0x03, today.year - 1900, today.month, today.day, len(rows), header_length, record_length
    )
    head = head[:29] + bytes([LANGUAGE_DRIVERS.get(encoding, 0)]) + head[30:]
    fields = b"".join(
        struct.pack("<11sc4xBB14x", c.name.encode("ascii"), c.kind.encode("ascii"), c.length, c.decimals)
        for c in columns
    )
    body = b"".join(b" " + b"".join(_cell(c, v, encoding) for c, v in zip(columns, row, strict=True)) for row in rows)
    return head + fields + b"\r" + body + b"\x1a"


def _cell(column: Column, value, encoding: str) -> bytes:
    if column.kind == "N":
        text = "" if value is None else f"{value:.{column.decimals}f}"
        data = text.encode("ascii").rjust(column.length)
    else:
        data = str(value or "").encode(encoding).ljust(column.length)
    if len(data) > column.length:
        raise ValueError(f"значение «{value}» длиннее поля {column.name} ({column.length})")
    return data
