"""The debtors' XLSX has the debt per service as columns, from billing's per-service ledger (ServiceBalance), and
the list filtered by a service goes by that service's debt: figures computed by hand on a small world."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry, ServiceBalance
from abonent.office import debtors
from abonent.office.models import Role
from abonent.testing import factories as f
from abonent.testing.downloads import job_download

from .conftest import make_operator
from .world import world

pytestmark = pytest.mark.django_db


def _city():
    """Two debtors in October: the first owes 9 000 (heating 6 000, water 3 500, an advance of 500 not spread);
    the second 1 500 (heating 1 000, water 500) and paid 200 in December, after the month."""
    w = world()
    period = BillingPeriod.objects.create(organisation=w["org"], month=dt.date(2026, 10, 1), state="published",
                                          published_at=timezone.now())  # fmt: skip
    heat = f.ServiceFactory(organisation=w["org"], name="Отопление")
    water = f.ServiceFactory(organisation=w["org"], name="Холодная вода")
    f.ServiceFactory(organisation=w["org"], name="Электроснабжение")  # owed by nobody: a column of zeros
    f.ServiceFactory(organisation=f.OrganisationFactory(), name="Чужая услуга")  # another organisation's: no column
    other = f.PersonalAccountFactory(premises=f.PremisesFactory(building=w["building"]), number="100000002")
    for account, closing in ((w["account"], "9000.00"), (other, "1500.00")):
        AccountBalance.objects.create(account=account, period=period, opening=Decimal(closing) - 3000,
                                      charged=Decimal("3000.00"), closing=Decimal(closing))  # fmt: skip
    for account, service, closing in ((w["account"], heat, "6000.00"), (w["account"], water, "3500.00"),
                                      (w["account"], None, "-500.00"), (other, heat, "1000.00"),
                                      (other, water, "500.00")):  # fmt: skip
        ServiceBalance.objects.create(account=account, period=period, service=service, opening=Decimal(closing),
                                      closing=Decimal(closing))  # fmt: skip
    LedgerEntry.objects.create(account=other, period=w["period"], kind="payment", amount=Decimal("200.00"),
                               occurred_on=dt.date(2026, 12, 2), idempotency_key="debtors:later")  # fmt: skip
    return w, other, heat, water


def _money(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_xlsx_has_a_column_per_service_equal_to_the_service_ledger(client, django_capture_on_commit_callbacks):
    w, other, _heat, _water = _city()
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    data = job_download(client, django_capture_on_commit_callbacks, "get", "/office/debtors/", {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Лицевой счёт", "Плательщик", "Адрес", "Отопление, ₽", "Холодная вода, ₽",
                       "Электроснабжение, ₽", "Без услуги, ₽", "Оплачено после месяца, ₽", "Долг всего, ₽",
                       "Начисляется в месяц, ₽", "Месяцев долга", "Последнее письмо")  # fmt: skip
    assert [r[0] for r in rows[1:]] == [w["account"].number, "100000002"]  # by the debt, largest first
    first, second = ([_money(v) for v in r[3:10]] for r in rows[1:])
    assert first == [Decimal(v) for v in ("6000.00", "3500.00", "0.00", "-500.00", "0.00", "9000.00", "3000.00")]
    assert second == [Decimal(v) for v in ("1000.00", "500.00", "0.00", "0.00", "200.00", "1300.00", "3000.00")]
    assert [r[10] for r in rows[1:]] == [3.0, 0.4]  # 9 000 ÷ 3 000; 1 300 ÷ 3 000
    assert rows[1][11].date() == dt.date(2026, 12, 1) and rows[2][11] is None  # the world's restriction letter
    for row, account in zip(rows[1:], (w["account"], other), strict=True):
        ledger = ServiceBalance.objects.filter(account=account, period__month=dt.date(2026, 10, 1))
        assert sum(_money(v) for v in row[3:7]) == sum(b.closing for b in ledger)
        assert sum(_money(v) for v in row[3:7]) - _money(row[7]) == _money(row[8])  # the services add up


def test_filtered_by_a_service_the_list_goes_by_that_services_debt(client, django_capture_on_commit_callbacks):
    w, other, heat, water = _city()
    by_water = list(debtors.debtors(w["org"], debtors.Filters(service_id=water.pk)))
    assert [(r.account, r.service_debt) for r in by_water] == [(w["account"], Decimal("3500.00")),
                                                               (other, Decimal("500.00"))]  # fmt: skip
    above = debtors.debtors(w["org"], debtors.Filters(service_id=heat.pk, debt_above=Decimal("1200")))
    assert [r.account for r in above] == [w["account"]]  # 6 000 for heating; the other owes 1 000 of it
    # 1 300 in all is above 1 200, but the filter by a service compares the service's debt
    above_water = debtors.debtors(w["org"], debtors.Filters(service_id=water.pk, debt_above=Decimal("1000")))
    assert [r.account for r in above_water] == [w["account"]]
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    page = client.get("/office/debtors/", {"service": water.pk, "debt_above": "600"}).content.decode()
    assert "3\xa0500,00" in page and "100000002" not in page
    query = {"service": water.pk, "debt_above": "600", "format": "xlsx"}
    xlsx = job_download(client, django_capture_on_commit_callbacks, "get", "/office/debtors/", query)
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [w["account"].number]  # the file is the list as filtered
