"""The lines of a billing's register file checked one by one, every error collected with its line number (any
error refuses the file whole: register_import). A line is an account with its house and premises, and at most one
meter of the premises; an account may come back on further lines only to add its other meters, with the same
house, premises and account figures. A house is named by its address (its ФИАС/ГАР GUID too, where the billing
knows it); a meter's service is the organisation's service (code or name) of a metered resource, or the resource
itself («Холодная вода»).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from abonent.billing.models import Service
from abonent.housing.models import account_number_validator
from abonent.lib.inputs import parse_ru_date
from abonent.lib.numbers import to_decimal
from abonent.metering.models import Resource

from .layouts import Layout, header_index
from .readers import Table
from .register_layouts import FIELDS, METER_FIELDS, REQUIRED

MAX_AREA = Decimal("1e8")  # what the area columns hold (10 digits, 2 of them after the point)
MAX_READING = Decimal("1e12")
LENGTHS = {"address": 300, "premises": 16, "payer": 200, "serial": 40}


@dataclass
class RegisterLine:
    line_no: int
    house: dict
    premises: dict
    account: dict
    meter: dict | None


class _Cells:
    """One line's cells by field, the errors of reading them collected."""

    def __init__(self, cells: list[str], index: dict[str, int]):
        self.cells, self.index, self.errors = cells, index, []

    def text(self, name: str) -> str:
        position = self.index.get(name)
        value = self.cells[position].strip() if position is not None and position < len(self.cells) else ""
        if name in LENGTHS and len(value) > LENGTHS[name]:
            self.errors.append(f"«{FIELDS[name]}» длиннее {LENGTHS[name]} знаков")
        return value

    def needed(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.errors.append(f"не указано «{FIELDS[name]}»")
        return value

    def date(self, name: str, *, needed: bool = False) -> dt.date | None:
        text = self.needed(name) if needed else self.text(name)
        value = parse_ru_date(text) if text else None
        if text and value is None:
            self.errors.append(f"«{FIELDS[name]}» — не дата ДД.ММ.ГГГГ: «{text}»")
        return value

    def number(self, name: str, *, places: int, limit: Decimal, needed: bool = False) -> Decimal | None:
        text = self.needed(name) if needed else self.text(name)
        if not text:
            return None
        value = to_decimal(text)
        if value is None or not 0 <= value < limit or value != round(value, places):
            self.errors.append(f"«{FIELDS[name]}» — не число от 0 с {places} знаками после запятой: «{text}»")
            return None
        return value


def resources_of(organisation) -> dict[str, str]:
    """What a meter's service cell may say → the meter's resource: the organisation's metered services by code
    or name, and the resources by their names."""
    found = {str(label).casefold(): value for value, label in Resource.choices}
    found.update({value: value for value in Resource.values})
    for code, name, resource in (
        Service.objects.filter(organisation=organisation).exclude(resource="").values_list("code", "name", "resource")
    ):
        found[code.casefold()] = found[name.strip().casefold()] = resource
    return found


def _house(c: _Cells) -> dict:
    fias, guid = c.text("fias"), None
    if fias:
        try:
            guid = uuid.UUID(fias)
        except ValueError:
            c.errors.append(f"«{FIELDS['fias']}» неверный: «{fias}»")
    area = {"places": 2, "limit": MAX_AREA}
    return {
        "address": c.needed("address"),
        "fias_guid": guid,
        "total_area": c.number("house_area", **area),
        "common_area": c.number("common_area", **area),
    }


def _premises(c: _Cells) -> dict:
    total = c.number("total_area", places=2, limit=MAX_AREA, needed=True)
    living = c.number("living_area", places=2, limit=MAX_AREA)
    if total is not None and living is not None and living > total:
        c.errors.append("жилая площадь больше общей")
    residents = c.number("residents", places=0, limit=Decimal(1000))
    return {
        "number": c.text("premises"),
        "total_area": total,
        "living_area": living,
        "residents": int(residents) if residents is not None else 1,
    }


def _account(c: _Cells) -> dict:
    number = c.needed("account")
    if number and not account_number_validator.regex.match(number):
        c.errors.append(f"лицевой счёт «{number}» — не от 6 до 30 цифр")
    opened, closed = c.date("opened", needed=True), c.date("closed")
    if opened and closed and closed < opened:
        c.errors.append("дата закрытия счёта раньше даты открытия")
    return {"number": number, "payer_name": c.needed("payer"), "opened_on": opened, "closed_on": closed}


def _meter(c: _Cells, resources: dict[str, str]) -> dict | None:
    if not any(c.text(name) for name in METER_FIELDS):
        return None
    service = c.needed("service")
    resource = resources.get(service.casefold())
    if service and resource is None:
        c.errors.append(f"услуга прибора учёта «{service}» не найдена среди услуг организации с ресурсом")
    installed, due = c.date("installed", needed=True), c.date("verification_due", needed=True)
    if installed and due and due <= installed:
        c.errors.append("дата окончания поверки не позже даты установки")
    initial = c.number("initial", places=6, limit=MAX_READING)
    return {
        "resource": resource,
        "serial_number": c.needed("serial"),
        "installed_on": installed,
        "verification_due": due,
        "initial_value": initial,
    }


def _line(line_no, cells, index, resources) -> tuple[RegisterLine | None, list[str]]:
    c = _Cells(cells, index)
    line = RegisterLine(line_no, _house(c), _premises(c), _account(c), _meter(c, resources))
    return (None if c.errors else line), c.errors


class _Seen:
    """What earlier lines said of each house, premises, account and meter: a later line must agree."""

    def __init__(self):
        self.first: dict[tuple, tuple[int, dict]] = {}

    def agrees(self, key: tuple, line_no: int, data: dict, what: str) -> str | None:
        earlier = self.first.setdefault(key, (line_no, data))
        if earlier[1] != data:
            return f"{what} — не те данные, что в строке {earlier[0]}"
        return None


def _repeats(line: RegisterLine, seen: _Seen) -> list[str]:
    house = ("house", line.house["address"].casefold())
    premises = (*house, line.premises["number"].casefold())
    account = ("account", line.account["number"])
    guid = line.house["fias_guid"]
    found = [
        seen.agrees(house, line.line_no, line.house, f"дом «{line.house['address']}»"),
        guid and seen.agrees(("guid", guid), line.line_no, {"a": house}, f"ФИАС/ГАР GUID {guid} у другого адреса"),
        seen.agrees(premises, line.line_no, line.premises, f"помещение «{line.premises['number']}»"),
        seen.agrees(account, line.line_no, {**line.account, "at": premises}, f"счёт {line.account['number']}"),
    ]
    if line.meter is None and account in seen.first and seen.first[account][0] != line.line_no:
        found.append(f"счёт {line.account['number']} повторяет строку {seen.first[account][0]}")
    elif line.meter is not None:
        meter = ("meter", *premises, line.meter["serial_number"])
        if meter in seen.first:
            found.append(f"прибор № {line.meter['serial_number']} повторяет строку {seen.first[meter][0]}")
        seen.first.setdefault(meter, (line.line_no, {}))
    return [text for text in found if text]


def checked(table: Table, layout: Layout, organisation) -> tuple[list[RegisterLine], list[str]]:
    index, errors = header_index(table.headers, layout, FIELDS, REQUIRED)
    if errors:
        return [], errors
    resources = resources_of(organisation)
    lines, seen = [], _Seen()
    for line_no, cells in table.rows:
        line, line_errors = _line(line_no, cells, index, resources)
        if line is not None:
            line_errors = _repeats(line, seen)
        errors += [f"строка {line_no}: {e}" for e in line_errors]
        if not line_errors:
            lines.append(line)
    if not table.rows:
        errors.append("в файле нет строк, кроме заголовка")
    return lines, errors
