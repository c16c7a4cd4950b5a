"""The agent's split, computed by hand: per supplier and day (the transfer register, CSV and XLSX) and the
monthly agent report, both equal to the ledger by service; the pages are the operator's own organisation's."""

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse

from abonent.billing import agent, cycle
from abonent.billing.ledger import ledger_post_payment
from abonent.billing.models import BillingPeriod, Service, ServiceBalance
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
JUNE, JULY = dt.date(2026, 6, 1), dt.date(2026, 7, 1)


@pytest.fixture
def collected():
    org = f.OrganisationFactory(timezone="Europe/Moscow")
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    water = f.SupplierFactory(organisation=org, short_name="МУП «Водоканал»", agent_fee_percent=D("1.5"))
    heat = f.SupplierFactory(organisation=org, short_name="АО «Теплосеть»")
    for code, price, supplier in (("water", "600", water), ("sewer", "300", water), ("heat", "400", heat)) + (
        ("upkeep", "1000", None),
    ):
        svc = f.ServiceFactory(organisation=org, code=code, method=Service.Method.FIXED, resource="", supplier=supplier)
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
    cycle.period_close(organisation=org, month=JUNE)
    # 1 150 is half of June's 2 300: 300 water, 150 sewerage, 200 heat, 500 upkeep; then 230 — a tenth of it
    for n, (day, amount) in enumerate(((3, "1150"), (10, "230"))):
        ledger_post_payment(
            account=account, amount=D(amount), paid_on=dt.date(2026, 7, day), source="t", external_id=str(n)
        )
    cycle.period_close(organisation=org, month=JULY)
    return {"org": org, "water": water, "heat": heat, "period": BillingPeriod.objects.get(organisation=org, month=JULY)}


def test_split_by_supplier_and_day(collected):
    rows = agent.collected_by_day(collected["org"].pk, JULY, dt.date(2026, 7, 31))
    assert [(r.supplier.short_name, r.day.day, r.collected, r.fee, r.transfer) for r in rows] == [
        ("АО «Теплосеть»", 3, D("200.00"), D("0"), D("200.00")),
        ("АО «Теплосеть»", 10, D("40.00"), D("0"), D("40.00")),
        # 450 × 1,5 % = 6,75; 90 × 1,5 % = 1,35
        ("МУП «Водоканал»", 3, D("450.00"), D("6.75"), D("443.25")),
        ("МУП «Водоканал»", 10, D("90.00"), D("1.35"), D("88.65")),
    ]


def test_monthly_report_equals_the_ledger(collected):
    rows = agent.monthly_report(collected["period"])
    assert [(r.supplier.short_name, r.charged, r.penalties, r.collected, r.debt, r.fee) for r in rows] == [
        ("АО «Теплосеть»", D("400.00"), D("0.00"), D("240.00"), D("560.00"), D("0")),
        ("МУП «Водоканал»", D("900.00"), D("0.00"), D("540.00"), D("1260.00"), D("8.10")),
    ]
    agent_services = Service.objects.filter(organisation=collected["org"], payee="agent", supplier__isnull=False)
    ledger = ServiceBalance.objects.filter(period=collected["period"], service__in=agent_services)
    assert sum(r.collected for r in rows) == ledger.aggregate(s=Sum("paid"))["s"]
    assert sum(r.debt for r in rows) == ledger.aggregate(s=Sum("closing"))["s"]
    by_day = agent.collected_by_day(collected["org"].pk, JULY, dt.date(2026, 7, 31))
    assert sum(r.collected for r in by_day) == sum(r.collected for r in rows)


def test_register_files_and_pages_are_the_operators_own(collected, client):
    operator = f.OperatorFactory(organisation=collected["org"])
    client.force_login(operator)
    url = reverse("billing:agent_register")
    page = client.get(url, {"from": "01.07.2026", "to": "31.07.2026"}).content.decode()
    assert "443,25\xa0₽" in page and "МУП «Водоканал»" in page
    csv = client.get(url, {"from": "01.07.2026", "to": "31.07.2026", "format": "csv"}).content.decode("utf-8-sig")
    assert f"03.07.2026;{collected['water'].name};{collected['water'].inn}" in csv and ";450,00;6,75;443,25;" in csv
    xlsx = client.get(url, {"from": "01.07.2026", "to": "31.07.2026", "format": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    values = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(D(str(row[8])) for row in values) == D("780.00")
    bad = client.get(url, {"from": "32.07.2026"})
    assert bad.status_code == 400 and "ДД.ММ.ГГГГ" in bad.content.decode()
    monthly = client.get(reverse("billing:agent_monthly"), {"month": "07.2026"}).content.decode()
    assert "1\xa0260,00\xa0₽" in monthly and "8,10\xa0₽" in monthly
    # another organisation's operator sees their own (nothing here); staff of none and subscribers — 404
    client.force_login(f.OperatorFactory())
    assert "МУП «Водоканал»" not in client.get(url, {"from": "01.07.2026", "to": "31.07.2026"}).content.decode()
    client.force_login(f.UserFactory())
    assert client.get(url).status_code == 404
