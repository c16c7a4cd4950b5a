"""Export to the billing: what was entered (readings, payments) comes out in every format with a summary line; the
same export twice is the same file; "since the last export" gives only the new rows."""

import datetime as dt
import io
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command

from abonent.exchange import readers
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.exporting import billing_export
from abonent.exchange.models import BillingMapping
from abonent.metering.models import Reading
from abonent.metering.submit import reading_submit
from abonent.payments.services import payment_cash_create
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Ulyanovsk")


@pytest.fixture
def entered(external):
    operator = f.OperatorFactory(organisation=external["org"])
    meter = f.MeterFactory(premises=external["first"].premises, serial_number="СВ-001")
    when = dt.datetime(2026, 11, 10, 12, 0, tzinfo=TZ)
    reading = reading_submit(
        meter=meter, value_text="123,456", user=operator, channel=Reading.Channel.OPERATOR, when=when
    )
    pay = payment_cash_create(
        account=external["first"],
        amount=D("418.26"),
        paid_on=dt.date(2026, 11, 12),
        actor=operator,
        payer_name="Иванов И. И.",
    )
    return {**external, "operator": operator, "meter": meter, "reading": reading, "payment": pay}


def _csv_lines(data: bytes, encoding: str) -> list[list[str]]:
    return [line.split(";") for line in data.decode(encoding).splitlines()]


def test_readings_and_payments_export_equal_what_was_entered(entered):
    org = entered["org"]
    readings = billing_export(organisation=org, kind="readings", fmt="csv", month=dt.date(2026, 11, 1))
    assert _csv_lines(readings.data, "cp1251") == [
        ["ЛС", "Заводской номер", "Ресурс", "Период", "Показание", "Дата передачи", "Способ"],
        ["100001", "СВ-001", "Холодная вода", "11.2026", "123.456000", "10.11.2026", "Оператор"],
        ["ИТОГО", "1", "", "", "", "", ""],
    ]
    payments = billing_export(
        organisation=org, kind="payments", fmt="csv", since=dt.date(2026, 11, 1), encoding="utf-8"
    )
    lines = _csv_lines(payments.data, "utf-8")
    assert lines[1][:4] == ["100001", "12.11.2026", "418.26", "Касса"] and lines[1][5] == "Иванов И. И."
    assert lines[2][:3] == ["ИТОГО", "1", "418.26"]
    assert payments.file.status == "exported" and payments.file.total_to_pay == D("418.26")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "dbf"])
def test_exporting_twice_gives_the_same_file(entered, fmt):
    first = billing_export(organisation=entered["org"], kind="payments", fmt=fmt, encoding="cp866")
    second = billing_export(organisation=entered["org"], kind="payments", fmt=fmt, encoding="cp866")
    assert first.data == second.data and first.rows == 1


def test_xlsx_and_dbf_read_back_with_the_entered_figures(entered):
    xlsx = billing_export(organisation=entered["org"], kind="payments", fmt="xlsx").data
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[1][0] == "100001" and D(str(rows[1][2])) == D("418.26") and rows[2][:2] == ("ИТОГО", 1)
    dbf = billing_export(organisation=entered["org"], kind="readings", fmt="dbf", encoding="cp866").data
    table = readers.read(dbf, "dbf")
    assert table.encoding == "cp866"
    assert table.rows[0][1][:2] == ["100001", "СВ-001"] and D(table.rows[0][1][4]) == D("123.456")
    assert table.rows[1][1][:2] == ["ИТОГО", "1"]


def test_since_last_export_gives_only_new_rows(entered, tmp_path):
    org = entered["org"]
    assert billing_export(organisation=org, kind="payments", fmt="csv", since_last=True).rows == 1
    assert billing_export(organisation=org, kind="payments", fmt="csv", since_last=True).rows == 0
    payment_cash_create(
        account=entered["second"], amount=D("10.00"), paid_on=dt.date(2026, 11, 13), actor=entered["operator"]
    )
    new = billing_export(organisation=org, kind="payments", fmt="csv", since_last=True)
    assert new.rows == 1 and _csv_lines(new.data, "cp1251")[1][0] == "100002"
    out = tmp_path / "all.csv"
    call_command("export_billing", "payments", str(out), org=org.code)
    assert _csv_lines(out.read_bytes(), "cp1251")[-1][:3] == ["ИТОГО", "2", "428.26"]


def test_the_operators_mapping_renames_reorders_and_omits_columns(entered):
    org = entered["org"]
    BillingMapping.objects.create(
        organisation=org,
        preset="1c-zkh",
        columns={
            "readings": [["value", "POKAZ2"], "account", ["serial", "Номер счётчика"]],
            "payments": [["amount", "SUM"], "account", "paid_on"],
        },
    )
    month = dt.date(2026, 11, 1)
    readings = billing_export(organisation=org, kind="readings", fmt="csv", month=month)
    assert _csv_lines(readings.data, "cp1251") == [
        ["POKAZ2", "ЛицевойСчет", "Номер счётчика"],  # the account's header is the import layout's (1С)
        ["123.456000", "100001", "СВ-001"],
        ["", "ИТОГО", "1"],
    ]
    assert billing_export(organisation=org, kind="readings", fmt="csv", month=month).data == readings.data
    payments = billing_export(organisation=org, kind="payments", fmt="dbf", encoding="cp866")
    table = readers.read(payments.data, "dbf")
    assert table.headers == ["SUM", "LS", "DATA"]  # a header dBase cannot hold keeps the standard name
    assert table.rows[0][1] == ["418.26", "100001", "12.11.2026"] and table.rows[1][1] == ["418.26", "ИТОГО", "1"]
    assert billing_export(organisation=org, kind="payments", fmt="dbf", encoding="cp866").data == payments.data


def test_an_unknown_field_in_the_mapping_refused_in_russian(entered):
    BillingMapping.objects.create(organisation=entered["org"], columns={"payments": ["account", "сумма"]})
    with pytest.raises(ExchangeRefused, match="неизвестное поле «сумма»: есть account, paid_on, amount"):
        billing_export(organisation=entered["org"], kind="payments", fmt="csv")
