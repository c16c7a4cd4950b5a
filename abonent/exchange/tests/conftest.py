"""An organisation in external-billing mode with two accounts and two services, and a billing month file for it
in any format and encoding (the generated file is what a billing would send)."""

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest

from abonent.exchange import dbf_write
from abonent.exchange.layouts import ABONENT, DBF_LATIN, FIELDS
from abonent.orgs.models import Organisation
from abonent.testing import factories as f

OCTOBER = dt.date(2026, 10, 1)
FIELD_ORDER = list(FIELDS)


@pytest.fixture
def external():
    org = f.OrganisationFactory(billing_mode=Organisation.BillingMode.EXTERNAL)
    building = f.BuildingFactory(organisation=org)
    first = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), number="100001")
    second = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), number="100002")
    absent = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), number="100003")
    cold = f.ServiceFactory(organisation=org, code="cold", name="Холодное водоснабжение")
    sewer = f.ServiceFactory(organisation=org, code="sewer", name="Водоотведение", resource="")
    return {"org": org, "first": first, "second": second, "absent": absent, "cold": cold, "sewer": sewer}


# account, service, unit, volume, tariff, charged, recalculation, penalties, opening, paid, to_pay
ROWS = [
    [
        "100001",
        "Холодное водоснабжение",
        "куб.м",
        "5.123",
        "45.27",
        "231.92",
        "-10.00",
        "1.15",
        "300.00",
        "300.00",
        "223.07",
    ],
    ["100001", "Водоотведение", "куб.м", "5.123", "38.10", "195.19", "0", "0", "0", "0", "195.19"],
    ["100002", "cold", "куб.м", "0", "45.27", "0.00", "0", "0", "-50.00", "0", "-50.00"],
]


def month_file(fmt: str, encoding: str = "utf-8", rows=None, headers=None) -> bytes:
    rows = ROWS if rows is None else rows
    if fmt == "dbf":
        return _dbf(rows, encoding)
    headers = headers or [ABONENT.columns[name] for name in FIELD_ORDER]
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(headers)
        for row in rows:
            sheet.append([_typed(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = "\r\n".join(";".join(r) for r in [headers, *rows]) + "\r\n"
    return text.encode(encoding)


def _typed(value: str):
    try:
        return D(value)
    except ArithmeticError:
        return value


def _dbf(rows, encoding: str) -> bytes:
    columns = [
        dbf_write.Column(DBF_LATIN.columns[name], "C" if i < 3 else "N", 40 if i < 3 else 16, 0 if i < 3 else 4)
        for i, name in enumerate(FIELD_ORDER)
    ]
    typed = [[v if i < 3 else D(v) for i, v in enumerate(row)] for row in rows]
    return dbf_write.write(columns, typed, encoding=encoding)
