"""The lines of a billing's month file checked one by one: the account and service are the organisation's, every
figure is a number with at most kopecks, no account has a service twice, and «к оплате» adds up (входящее сальдо +
начислено + перерасчёт + пени − оплачено). Every error is collected with its line number so the operator fixes the
file in one go; any error refuses the file whole (month_import).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from abonent.billing.models import Service
from abonent.housing.models import PersonalAccount
from abonent.lib.numbers import money, to_decimal

from .layouts import FIELDS, OPTIONAL, Layout
from .readers import Table

ZERO = Decimal("0")
MONEY_FIELDS = ("charged", "recalculation", "penalties", "opening", "paid", "to_pay")
MAX_VALUE = Decimal("1e11")  # what the columns hold (14 digits, 2 of them kopecks)
KOPECK = Decimal("0.01")
PLAIN = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?$")  # a plain number: read by Decimal directly


@dataclass
class Line:
    line_no: int
    account: PersonalAccount
    service: Service
    unit: str
    values: dict[str, Decimal]


def columns(table: Table, layout: Layout) -> tuple[dict[str, int], list[str]]:
    """Field → column index by header; errors name the missing columns."""
    found = {h.strip().casefold(): i for i, h in enumerate(table.headers) if h}
    index, errors = {}, []
    for name, header in layout.columns.items():
        position = found.get(header.strip().casefold())
        if position is None:
            if name not in OPTIONAL:
                errors.append(f"нет колонки «{header}» ({FIELDS[name]}) в первой строке файла")
            continue
        index[name] = position
    return index, errors


def checked(table: Table, layout: Layout, organisation) -> tuple[list[Line], list[str]]:
    index, errors = columns(table, layout)
    if errors:
        return [], errors
    accounts = {a.number: a for a in PersonalAccount.objects.filter(organisation=organisation)}
    services = services_of(organisation)
    lines: list[Line] = []
    seen: dict[tuple[int, int], int] = {}
    for line_no, cells in table.rows:
        line, line_errors = _line(line_no, cells, index, accounts, services)
        errors += [f"строка {line_no}: {e}" for e in line_errors]
        if line is None:
            continue
        key = (line.account.pk, line.service.pk)
        if key in seen:
            errors.append(
                f"строка {line_no}: счёт {line.account.number}, услуга «{line.service.name}» повторяет строку {seen[key]}"
            )
            continue
        seen[key] = line_no
        lines.append(line)
    if not table.rows:
        errors.append("в файле нет строк, кроме заголовка")
    return lines, errors


def services_of(organisation) -> dict[str, Service]:
    """A service named in the file by its code or its name, case ignored."""
    found: dict[str, Service] = {}
    for service in Service.objects.filter(organisation=organisation):
        found[service.name.strip().casefold()] = service
        found[service.code.casefold()] = service
    return found


def _cell(cells: list[str], index: dict[str, int], name: str) -> str:
    position = index.get(name)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _line(line_no, cells, index, accounts, services) -> tuple[Line | None, list[str]]:
    errors = []
    number = _cell(cells, index, "account")
    account = accounts.get(number)
    if account is None:
        errors.append(f"лицевой счёт «{number}» не найден в организации" if number else "не указан лицевой счёт")
    name = _cell(cells, index, "service")
    service = services.get(name.casefold())
    if service is None:
        errors.append(f"услуга «{name}» не найдена среди услуг организации" if name else "не указана услуга")
    values = {}
    for field in ("volume", "tariff", *MONEY_FIELDS):
        value, error = _number(_cell(cells, index, field), field)
        values[field] = value
        if error:
            errors.append(error)
    if not errors:
        errors += _adds_up(values)
    if errors:
        return None, errors
    return Line(line_no, account, service, _cell(cells, index, "unit"), values), []


def _number(text: str, field: str) -> tuple[Decimal, str | None]:
    if not text:
        if field in OPTIONAL or field in ("volume", "tariff"):
            return ZERO, None
        return ZERO, f"не указано «{FIELDS[field]}»"
    # the common "1234.56" straight to Decimal; grouped or comma-decimal text through the general reader
    value = Decimal(text) if PLAIN.match(text) else to_decimal(text)
    if value is None or abs(value) >= MAX_VALUE:
        return ZERO, f"«{FIELDS[field]}» — не число: «{text}»"
    if field in MONEY_FIELDS and value != value.quantize(KOPECK):
        return ZERO, f"«{FIELDS[field]}» с долями копейки: «{text}»"
    if field in ("volume", "tariff") and value < 0:
        return ZERO, f"«{FIELDS[field]}» отрицательный: «{text}»"
    return value, None


def _adds_up(v: dict[str, Decimal]) -> list[str]:
    expected = v["opening"] + v["charged"] + v["recalculation"] + v["penalties"] - v["paid"]
    if expected == v["to_pay"]:
        return []
    return [
        f"к оплате {money(v['to_pay'])}, а входящее сальдо + начислено + перерасчёт + пени − оплачено = "
        f"{money(expected)}"
    ]
