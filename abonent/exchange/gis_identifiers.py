"""The identifiers ГИС ЖКХ assigns, loaded from the XLSX it returns after accounts are placed: per account its ЕЛС
(единый лицевой счёт) and ИЖКУ (идентификатор жилищно-коммунальной услуги), and per house its GUID (ГИС ЖКХ names
houses by their ФИАС/ГАР GUID, kept as Building.fias_guid). The header row is looked for in the first rows of the
first sheet (the files ГИС ЖКХ returns carry a title above it); the columns are found by their headers as listed in
HEADERS. Any bad line refuses the file whole; nothing is written then. The column names follow public descriptions
of ГИС ЖКХ's templates and are not verified against a file here (docs/EXCHANGE.md).
"""

from __future__ import annotations

import re
import uuid

from django.db import transaction

from abonent.housing.models import Building, PersonalAccount

from . import readers
from .errors import ExchangeRefused

HEADERS = {
    "account": ("номер лс", "номер лицевого счета", "номер лицевого счёта", "лицевой счет", "лицевой счёт"),
    "els": ("елс", "единый лицевой счет", "единый лицевой счёт"),
    "igku": ("ижку", "идентификатор жку", "идентификатор жилищно-коммунальной услуги"),
    "house_guid": ("guid дома", "код фиас", "глобальный уникальный идентификатор дома по фиас"),
}
ELS = re.compile(r"^[0-9A-ZА-ЯЁ]{10}$")
HEADER_ROWS = 10


def header_columns(table: readers.Table, headers: dict, key: str) -> tuple[dict[str, int], list] | None:
    """Field → column, and the rows under the header row: the first of the first rows that names the `key`
    field (the files ГИС ЖКХ returns carry titles above it); None when no row does."""
    candidates = [(0, table.headers), *table.rows[:HEADER_ROWS]]
    for position, (_, cells) in enumerate(candidates):
        names = {" ".join(str(c).split()).casefold(): i for i, c in enumerate(cells)}
        index = {f: next((names[h] for h in heads if h in names), None) for f, heads in headers.items()}
        if index[key] is not None:
            return {f: i for f, i in index.items() if i is not None}, table.rows[position:]
    return None


def _columns(table: readers.Table) -> tuple[dict[str, int], list]:
    found = header_columns(table, HEADERS, "account")
    if found is None:
        raise ExchangeRefused(["не найдена строка заголовков с колонкой «Номер ЛС» (номер лицевого счёта)"])
    return found


def _cell(cells, index, name) -> str:
    i = index.get(name)
    return str(cells[i]).strip() if i is not None and i < len(cells) else ""


def _line(line_no, cells, index, accounts) -> tuple[tuple | None, list[str]]:
    errors = []
    account = accounts.get(_cell(cells, index, "account"))
    if account is None:
        errors.append(f"строка {line_no}: лицевой счёт «{_cell(cells, index, 'account')}» не найден в организации")
    els, igku = (_cell(cells, index, name).upper() for name in ("els", "igku"))
    guid = _cell(cells, index, "house_guid")
    if els and not ELS.match(els):
        errors.append(f"строка {line_no}: ЕЛС «{els}» — не 10 цифр и букв")
    if igku and (len(igku) > 20 or (els and not igku.startswith(els))):
        errors.append(f"строка {line_no}: ИЖКУ «{igku}» не начинается с ЕЛС «{els}»")
    house = None
    if guid:
        try:
            house = uuid.UUID(guid)
        except ValueError:
            errors.append(f"строка {line_no}: GUID дома «{guid}» неверный")
    return (None if errors else (account, els, igku, house)), errors


def gis_identifiers_import(*, organisation, data: bytes, file_name: str) -> int:
    """Store the identifiers; returns the number of accounts updated."""
    table = readers.read(data, readers.file_format(file_name))
    index, rows = _columns(table)
    accounts = {a.number: a for a in PersonalAccount.objects.filter(organisation=organisation)}
    found, errors = [], []
    for line_no, cells in rows:
        parsed, line_errors = _line(line_no, cells, index, accounts)
        errors += line_errors
        if parsed:
            found.append(parsed)
    if errors:
        raise ExchangeRefused(errors)
    with transaction.atomic():
        for account, els, igku, house in found:
            PersonalAccount.objects.filter(pk=account.pk).update(els=els or account.els, igku=igku or account.igku)
            if house:
                Building.objects.filter(pk=account.premises.building_id).update(fias_guid=house)
    return len(found)
