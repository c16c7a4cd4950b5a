"""Reading a bank registry file by its layout: the encoding checked, every line parsed, the summary reconciled.
Pure: no database. A file with any bad line, or whose summary does not add up, is refused whole (RegistryError
with the lines named, in Russian); which account a line is for is decided later (payments.matching)."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import registry_encoding as encodings
from .registry_layouts import Layout

# Thousands separators a bank or a spreadsheet puts into amounts: space, no-break space, narrow no-break space.
GROUPING = str.maketrans("", "", " \u00a0\u202f")
# The named period's formats (Layout.period_formats): the month as two digits, then the year as four.
PERIOD_FORMATS = {"MMYYYY": re.compile(r"(\d{2})(\d{4})"), "MM.YYYY": re.compile(r"(\d{2})\.(\d{4})")}
SHOWN_ERRORS = 5


class RegistryError(Exception):
    """The file is refused whole; the message is for the operator, in Russian."""


class LineError(ValueError):
    """One line is bad; the message names the field and the value, without the line number."""


@dataclass
class Line:
    number: int
    paid_on: dt.date
    payment_id: str
    account: str
    payer: str
    amount: Decimal
    readings: list[tuple[str, str]]
    raw: str
    # The month the payer named as paid for (first day), None when the layout has no period column or it is empty.
    # Stored on the payment; allocation of a payment to the named month is to use it.
    named_period: dt.date | None = None
    # The code of the service the payer named (Layout.columns["service"]), "" when none: matching checks it.
    service_code: str = ""


def decode(data: bytes, layout: Layout) -> str:
    """The file's text, or RegistryError when its encoding is not the layout's (see registry_encoding)."""
    detected = encodings.detect(data)
    expected = encodings.canonical(layout.encoding)
    if detected is not None and detected != expected:
        raise RegistryError(
            f"Реестр не загружен: формат «{layout.title or layout.name}» ожидает файл в кодировке "
            f"{encodings.describe(expected)}, а файл — в кодировке {encodings.describe(detected)}. Выберите формат "
            f"для кодировки {encodings.describe(detected)}; ничего не загружено."
        )
    try:
        text = data.decode(layout.encoding)
    except UnicodeDecodeError:
        raise RegistryError(f"Файл не читается в кодировке {layout.encoding}: проверьте формат реестра.") from None
    return text.removeprefix("\ufeff")  # the byte-order mark Windows editors put before UTF-8 text


def amount(text: str, layout: Layout) -> Decimal:
    text = text.strip().translate(GROUPING)
    if layout.decimal_comma:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError
    return value


def date(text: str, layout: Layout) -> dt.date:
    for fmt in layout.date_formats:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError


def period(text: str, layout: Layout) -> dt.date | None:
    """The first day of the named month; None for an empty column; ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    for name in layout.period_formats:
        match = PERIOD_FORMATS[name].fullmatch(text)
        if match and 1 <= int(match[1]) <= 12 and 2000 <= int(match[2]) <= 2099:
            return dt.date(int(match[2]), int(match[1]), 1)
    raise ValueError


def _column(parts: list[str], layout: Layout, name: str) -> str:
    """An optional column's text, "" when the layout has no such column or the line is shorter."""
    index = layout.columns.get(name)
    return parts[index].strip() if index is not None and index < len(parts) else ""


def _readings(text: str) -> list[tuple[str, str]]:
    readings = []
    for pair in text.split("|") if text else ():
        serial, _, value = pair.partition(":")
        if serial.strip() and value.strip():
            readings.append((serial.strip(), value.strip()))
    return readings


def _money(text: str, layout: Layout) -> Decimal:
    try:
        value = amount(text, layout)
    except ValueError:
        hint = "" if layout.decimal_comma or "," not in text else " (для сумм с запятой выберите формат «с запятой»)"
        raise LineError(f"неверная сумма «{text}»{hint}") from None
    if value <= 0:
        raise LineError("сумма должна быть положительной")
    return value


def _named_period(parts: list[str], layout: Layout, periods: dict) -> dt.date | None:
    text = _column(parts, layout, "period")
    try:
        return periods[text] if text in periods else periods.setdefault(text, period(text, layout))
    except ValueError:
        shown = " или ".join(name.replace("MM", "ММ").replace("YYYY", "ГГГГ") for name in layout.period_formats)
        raise LineError(f"неверный период «{text}» (нужны месяц и год: {shown})") from None


def parse_line(number: int, raw: str, layout: Layout, dates: dict, periods: dict) -> Line:
    """One line, or LineError. `dates` and `periods` cache the parsed values by their text: a registry has a
    handful of distinct ones and strptime is the slow part of parsing."""
    parts, cols = raw.split(layout.separator), layout.columns
    try:
        paid_on_text, amount_text = parts[cols["paid_on"]], parts[cols["amount"]]
        payment_id, account = parts[cols["payment_id"]].strip(), parts[cols["account"]].strip()
    except IndexError:
        raise LineError("не хватает полей") from None
    try:
        paid_on = dates.get(paid_on_text) or dates.setdefault(paid_on_text, date(paid_on_text, layout))
    except ValueError:
        raise LineError(f"неверная дата «{paid_on_text}»") from None
    value = _money(amount_text, layout)
    if not payment_id or not account:
        raise LineError("нет идентификатора платежа или лицевого счёта")
    named = _named_period(parts, layout, periods)
    readings = _readings(_column(parts, layout, "readings"))
    payer = _column(parts, layout, "payer")[:200]
    service = _column(parts, layout, "service")[:60]
    return Line(number, paid_on, payment_id, account, payer, value, readings, raw, named, service)


def _summary(row: str, layout: Layout) -> tuple[int, Decimal]:
    """The summary line's count and total."""
    summary = row[len(layout.summary_prefix) :].split(layout.separator)
    try:
        return int(summary[layout.summary_count].strip()), amount(summary[layout.summary_total], layout)
    except (IndexError, ValueError):
        raise RegistryError("Итоговая строка реестра не читается: нужны количество и сумма платежей.") from None


def _reconcile(lines: list[Line], count: int, total: Decimal) -> None:
    actual = sum((line.amount for line in lines), Decimal("0"))
    if count != len(lines):
        raise RegistryError(f"Реестр не сходится: в итоговой строке {count} платежей, в файле {len(lines)}.")
    if total != actual:
        raise RegistryError(f"Реестр не сходится: в итоговой строке сумма {total}, по строкам {actual}.")
    ids = [(line.payment_id, line.paid_on, line.amount) for line in lines]
    if len(set(ids)) != len(ids):
        raise RegistryError("В реестре повторяется платёж (тот же идентификатор, дата и сумма).")


def parse(data: bytes, layout: Layout) -> list[Line]:
    """Every line parsed and the summary reconciled, or RegistryError naming what is wrong."""
    rows = [r for r in decode(data, layout).splitlines() if r.strip()]
    if not rows or not rows[-1].startswith(layout.summary_prefix):
        raise RegistryError("В реестре нет итоговой строки (количество и сумма платежей).")
    lines, errors, dates, periods = [], [], {}, {}
    for number, raw in enumerate(rows[:-1], start=1):
        try:
            lines.append(parse_line(number, raw, layout, dates, periods))
        except LineError as exc:
            errors.append(f"строка {number}: {exc}")
    if errors:
        more = f" и ещё {len(errors) - SHOWN_ERRORS}" if len(errors) > SHOWN_ERRORS else ""
        raise RegistryError(f"Реестр не загружен: {'; '.join(errors[:SHOWN_ERRORS])}{more}.")
    _reconcile(lines, *_summary(rows[-1], layout))
    return lines
