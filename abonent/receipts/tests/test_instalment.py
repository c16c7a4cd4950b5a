"""docs/BILLING.md, «Рассрочка»: a service charged more than 25 % above the same month last year (both periods
published) gets the instalment offer on the receipt, in the PDF and in the print version."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle
from abonent.billing.models import Charge, Service
from abonent.receipts import pdf, selectors
from abonent.receipts.tests.test_receipt import pdf_text
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db

OCTOBER_2025, OCTOBER_2026 = dt.date(2025, 10, 1), dt.date(2026, 10, 1)
OFFER = "вы можете оплатить его в рассрочку"


def fixed_service(org, name, *, last_year, this_year):
    """A fixed monthly charge per account, one price in 2025 and another in 2026."""
    service = f.ServiceFactory(organisation=org, name=name, method=Service.Method.FIXED, resource="")
    if last_year is not None:
        f.TariffFactory(
            service=service, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31), price=last_year
        )
    f.TariffFactory(service=service, valid_from=dt.date(2026, 1, 1), valid_to=None, price=this_year)
    return service


def register(*, publish_last_year: bool):
    """October 2025 closed (published or only calculated), then October 2026 published: one service up by more
    than 25 %, one up by exactly 25 %, one down, and one added in 2026 (nothing a year earlier)."""
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=account.premises.building))
    fixed_service(org, "Холодное водоснабжение", last_year=D("100.00"), this_year=D("125.01"))
    fixed_service(org, "Вывоз мусора", last_year=D("100.00"), this_year=D("125.00"))
    fixed_service(org, "Домофон", last_year=D("300.00"), this_year=D("90.00"))
    if publish_last_year:
        cycle.period_close(organisation=org, month=OCTOBER_2025)
    else:
        cycle.period_close(organisation=org, month=OCTOBER_2025, step="close_readings")
        cycle.period_close(organisation=org, month=OCTOBER_2025, step="calculate")
    fixed_service(org, "Видеонаблюдение", last_year=None, this_year=D("500.00"))
    period = cycle.period_close(organisation=org, month=OCTOBER_2026)
    return account, period


def test_offer_for_the_service_up_by_more_than_25_percent_only(client):
    account, period = register(publish_last_year=True)
    charged = dict(
        Charge.objects.filter(period__month=OCTOBER_2025, account=account).values_list("service__name", "amount")
    )
    assert charged == {"Холодное водоснабжение": D("100.00"), "Вывоз мусора": D("100.00"), "Домофон": D("300.00")}

    r = selectors.receipt_for(account=account, period=period)
    lines = {line.service: line for line in r.lines}
    assert lines["Холодное водоснабжение"].charged == D("125.01")
    assert lines["Вывоз мусора"].charged == D("125.00") and lines["Вывоз мусора"].last_year == D("100.00")
    assert lines["Видеонаблюдение"].last_year is None
    assert [line.service for line in r.lines if line.instalment_offered] == ["Холодное водоснабжение"]
    offer = (
        "Начисление за «Холодное водоснабжение» за октябрь 2026 (125,01 руб.) выше, чем за октябрь 2025 "
        "(100,00 руб.), более чем на 25 %: вы можете оплатить его в рассрочку."
    )
    assert r.instalment_offers == [offer]

    text = pdf_text(pdf.render([r]))
    assert offer in text
    assert "на срок до 12 месяцев" in text and "ключевой ставки Банка России, увеличенной на 3" in text
    for service in ("Вывоз мусора", "Домофон", "Видеонаблюдение"):
        assert f"«{service}»" not in text

    link = f.AccountLinkFactory(account=account)
    client.force_login(link.user)
    page = client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/print/").content.decode()
    assert "Оплата в рассрочку" in page
    assert "Начисление за «Холодное водоснабжение» за октябрь 2026 (125,01" in page
    assert "«Вывоз мусора»" not in page and "«Домофон»" not in page and "«Видеонаблюдение»" not in page


def test_no_offer_when_last_years_period_is_not_published(client):
    account, period = register(publish_last_year=False)
    assert Charge.objects.filter(period__month=OCTOBER_2025).count() == 6  # calculated, not published
    r = selectors.receipt_for(account=account, period=period)
    assert r.instalment_offers == [] and all(line.last_year is None for line in r.lines)
    assert OFFER not in pdf_text(pdf.render([r]))
    link = f.AccountLinkFactory(account=account)
    client.force_login(link.user)
    page = client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/print/").content.decode()
    assert "рассрочк" not in page


def test_last_years_charges_for_a_whole_chunk_in_one_query(django_assert_num_queries):
    _, period = register(publish_last_year=True)
    with django_assert_num_queries(
        8
    ):  # 7th: the production calendar's exceptions, 8th: the payees (receipts/payees.py)
        receipts = selectors.receipts_computed(period=period)
    assert [len(r.instalment_offers) for r in receipts] == [1, 1]
