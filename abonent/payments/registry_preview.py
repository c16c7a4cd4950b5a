"""The first lines of a bank registry as a layout reads them, before anything is imported: each line's fields or
the reason it cannot be read, and what would refuse the whole file (the encoding, a bad line further down, the
summary line not adding up). Pure: reads the bytes only (registry_parse), like the import's first step."""

from __future__ import annotations

from dataclasses import dataclass, field

from .registry_layouts import Layout
from .registry_parse import Line, LineError, RegistryError, decode, parse, parse_line

SHOWN = 10


@dataclass
class PreviewLine:
    number: int
    raw: str
    line: Line | None = None
    error: str = ""


@dataclass
class Preview:
    lines: list[PreviewLine] = field(default_factory=list)
    summary: str = ""  # the summary line as it stands in the file
    total: int = 0  # payment lines in the file
    errors: list[str] = field(default_factory=list)  # what refuses the file whole

    @property
    def importable(self) -> bool:
        return not self.errors


def registry_preview(data: bytes, layout: Layout, shown: int = SHOWN) -> Preview:
    try:
        rows = [r for r in decode(data, layout).splitlines() if r.strip()]
    except RegistryError as exc:
        return Preview(errors=[str(exc)])
    has_summary = bool(rows) and rows[-1].startswith(layout.summary_prefix)
    payments = rows[:-1] if has_summary else rows
    result = Preview(summary=rows[-1] if has_summary else "", total=len(payments))
    dates, periods = {}, {}
    for number, raw in enumerate(payments[:shown], start=1):
        try:
            result.lines.append(PreviewLine(number, raw, parse_line(number, raw, layout, dates, periods)))
        except LineError as exc:
            result.lines.append(PreviewLine(number, raw, error=str(exc)))
    try:
        parse(data, layout)
    except RegistryError as exc:
        result.errors.append(str(exc))
    return result
