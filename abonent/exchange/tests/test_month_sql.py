"""PostgreSQL checks and writes a month in SQL (month_staging, billing.external_sql); SQLite, and any file the SQL
does not take as it is, in Python (month_lines, billing.external). Both must store the same figures and refuse the
same files with the same messages: the same file through each path, compared row by row."""

from decimal import Decimal as D

import pytest
from django.db import connection

from abonent.billing.models import AccountBalance, Charge, Penalty, Recalculation, ServiceBalance
from abonent.exchange import month_import
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.models import BillingMapping, ExchangeFile, ImportedLine
from abonent.exchange.month_import import billing_month_import

from .conftest import OCTOBER, ROWS, month_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the set-based path is PostgreSQL's")


# Valid but unusual: a tariff with six decimals (stored to four), leading zeros, "-.50", empty optional figures,
# a service by its code in capitals, a unit longer than the column.
TRICKY = [
    [
        "100001",
        "COLD",
        "кубических метров воды",
        "0005.5",
        "45.123456",
        "248.18",
        "-.50",
        "",
        "300.00",
        "300",
        "247.68",
    ],
    ["100001", "Водоотведение", "", "", "38.10", "195.19", "0", "0", "0", "0", "195.19"],
    ["100002", "cold", "куб.м", "0", "45.27", "0.00", "10.00", "2.35", "-50.00", "0", "-37.65"],
]


def _stored(file: ExchangeFile) -> dict:
    file.refresh_from_db()  # the accounts missing from the file are written after the result was made

    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields))

    return {
        "file": (file.lines, file.accounts, file.total_to_pay, file.missing_accounts, file.encoding),
        "lines": sorted(
            ImportedLine.objects.filter(file=file).values_list(
                "line_no",
                "account_id",
                "service_id",
                "unit",
                "volume",
                "tariff",
                "charged",
                "recalculation",
                "penalties",
                "opening",
                "paid",
                "to_pay",
            )
        ),
        "charges": rows(Charge, "account_id", "service_id", "basis", "volume", "price", "amount", "factor_excess"),
        "recalculations": rows(Recalculation, "account_id", "service_id", "kind", "amount", "reason", "created_by"),
        "penalties": rows(Penalty, "account_id", "amount", "basis"),
        "balances": rows(AccountBalance, "account_id", *BALANCE),
        "by_service": rows(ServiceBalance, "account_id", "service_id", *BALANCE),
    }


BALANCE = ("opening", "charged", "recalculated", "penalties", "paid", "closing")


def _import(ctx, data, name="october.csv"):
    return billing_month_import(organisation=ctx["org"], month=OCTOBER, data=data, file_name=name)


def _by_lines(monkeypatch):
    monkeypatch.setattr(month_import, "set_based", lambda: False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "dbf"])
def test_sql_and_python_store_the_same_figures(external, monkeypatch, fmt):
    if fmt == "dbf":
        BillingMapping.objects.create(organisation=external["org"], preset="dbf-latin")
    rows = TRICKY if fmt == "csv" else ROWS
    data = month_file(fmt, "cp866" if fmt == "dbf" else "cp1251", rows=rows)
    in_sql = _stored(_import(external, data, f"a.{fmt}").file)
    _by_lines(monkeypatch)
    by_lines = _stored(_import(external, data, f"b.{fmt}").file)
    assert in_sql == by_lines
    assert in_sql["file"][:4] == (3, 2, sum(D(r[10]) for r in rows), "100003")


def test_tricky_values_as_written(external):
    _import(external, month_file("csv", rows=TRICKY))
    line = ImportedLine.objects.get(line_no=2)
    assert (line.unit, line.volume, line.tariff, line.recalculation, line.penalties) == (
        "кубических метро",
        D("5.5"),
        D("45.1235"),
        D("-0.50"),
        D("0"),
    )
    assert AccountBalance.objects.get(account=external["second"]).closing == D("-37.65")


BAD = {
    "unknown account": (0, 0, "999999"),
    "unknown service": (1, 1, "Газ"),
    "not a number": (0, 5, "12,3x"),
    "a number the cast refuses": (1, 5, "1.2.3"),
    "a lone minus": (2, 6, "-"),
    "fractions of a kopeck": (1, 9, "0.001"),
    "negative volume": (0, 3, "-1"),
    "too large": (2, 8, "100000000000"),
    "empty required figure": (2, 9, ""),
    "sum that does not add up": (2, 10, "-49.00"),
}


def _bad(kinds) -> bytes:
    rows = [list(r) for r in ROWS]
    for kind in kinds:
        row, column, value = BAD[kind]
        rows[row][column] = value
    return month_file("csv", rows=rows)


def _refusal(ctx, data) -> list[str]:
    with pytest.raises(ExchangeRefused) as refused:
        _import(ctx, data)
    return refused.value.errors


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_bad_line_refused_alike(external, monkeypatch, kind):
    data = _bad([kind])
    in_sql = _refusal(external, data)
    _by_lines(monkeypatch)
    assert _refusal(external, data) == in_sql
    assert in_sql and all(e.startswith("строка ") for e in in_sql)
    assert (Charge.objects.count(), ImportedLine.objects.count(), AccountBalance.objects.count()) == (0, 0, 0)


def test_several_kinds_of_bad_line_and_a_duplicate_refused_alike(external, monkeypatch):
    rows = [list(r) for r in [*ROWS, ROWS[1], ROWS[2]]]
    rows[0][0], rows[2][10], rows[4][9] = "999999", "-49.00", "0.001"
    data = month_file("csv", rows=rows)
    in_sql = _refusal(external, data)
    _by_lines(monkeypatch)
    assert (
        _refusal(external, data)
        == in_sql
        == [
            "строка 2: лицевой счёт «999999» не найден в организации",
            "строка 4: к оплате -49,00\xa0₽, а входящее сальдо + начислено + перерасчёт + пени − оплачено = "
            "-50,00\xa0₽",
            "строка 5: счёт 100001, услуга «Водоотведение» повторяет строку 3",
            "строка 6: «оплачено» с долями копейки: «0.001»",
        ]
    )
    assert ExchangeFile.objects.filter(status=ExchangeFile.Status.REFUSED).count() == 2
    assert (Charge.objects.count(), ImportedLine.objects.count()) == (0, 0)
