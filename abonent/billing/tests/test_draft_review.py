"""The draft review of a calculated month against the previous one, on a register built by hand: totals by
service, the largest changes by account, counts by basis — and the back office page that shows them."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from abonent.billing.draft_review import draft_review
from abonent.billing.models import AccountBalance, BillingPeriod, Charge, Service
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
NOVEMBER, DECEMBER = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
METER, AVERAGE, NORM, AREA = (Charge.Basis.METER, Charge.Basis.AVERAGE, Charge.Basis.NORM, Charge.Basis.AREA)


@pytest.fixture
def register():
    """Accounts A, B (both months), C (opened in December) and D (closed after November); cold water at 50 ₽/м³
    and heating by area."""
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    a, b, c, d = (f.PersonalAccountFactory(premises=f.PremisesFactory(building=building)) for _ in range(4))
    cold = f.ServiceFactory(organisation=org, name="Холодное водоснабжение", sort_order=1)
    heat = f.ServiceFactory(
        organisation=org, name="Отопление", method=Service.Method.AREA, resource="", unit="м²", sort_order=2
    )
    november = BillingPeriod.objects.create(organisation=org, month=NOVEMBER, state="published")
    december = BillingPeriod.objects.create(organisation=org, month=DECEMBER, state="calculated")
    lines = {
        november: [(a, cold, METER, "10", "500.00"), (a, heat, AREA, "50", "1000.00"), (b, cold, NORM, "5", "250.00")]
        + [(b, heat, AREA, "40", "800.00"), (d, cold, AVERAGE, "4", "200.00")],
        december: [(a, cold, METER, "12", "600.00"), (a, heat, AREA, "50", "1500.00"), (b, cold, NORM, "5", "250.00")]
        + [(b, heat, AREA, "40", "800.00"), (c, cold, AVERAGE, "3", "150.00")],
    }
    for period, rows in lines.items():
        for account, service, basis, volume, amount in rows:
            Charge.objects.create(
                account=account,
                period=period,
                service=service,
                basis=basis,
                volume=D(volume),
                price=D(amount) / D(volume),
                amount=D(amount),
            )
    # balances: December of A also has a recalculation of −100,00 and penalties of 12,34
    balances = {
        november: [(a, "1500.00", "0", "0"), (b, "1050.00", "0", "0"), (d, "200.00", "0", "0")],
        december: [(a, "2100.00", "-100.00", "12.34"), (b, "1050.00", "0", "0"), (c, "150.00", "0", "0")],
    }
    for period, rows in balances.items():
        for account, charged, recalculated, penalties in rows:
            total = D(charged) + D(recalculated) + D(penalties)
            AccountBalance.objects.create(
                account=account,
                period=period,
                charged=D(charged),
                recalculated=D(recalculated),
                penalties=D(penalties),
                closing=total,
            )
    return {"org": org, "december": december, "accounts": (a, b, c, d)}


def test_figures_by_hand(register, django_assert_num_queries):
    a, b, c, d = register["accounts"]
    with django_assert_num_queries(6):  # whatever the number of accounts: aggregates, no loop over accounts
        review = draft_review(register["december"], top=3)
    assert review.previous.month == NOVEMBER
    assert [(t.name, t.current, t.previous, t.difference) for t in review.totals] == [
        ("Начислено по услугам", D("3300.00"), D("2750.00"), D("550.00")),
        ("Перерасчёты", D("-100.00"), D("0.00"), D("-100.00")),
        ("Пени", D("12.34"), D("0.00"), D("12.34")),
        ("Всего за месяц", D("3212.34"), D("2750.00"), D("462.34")),
    ]
    # cold water 600 + 250 + 150 against 500 + 250 + 200; heating 1 500 + 800 against 1 000 + 800
    assert [(s.name, s.current, s.previous, s.difference, s.percent) for s in review.services] == [
        ("Холодное водоснабжение", D("1000.00"), D("950.00"), D("50.00"), D("5.3")),
        ("Отопление", D("2300.00"), D("1800.00"), D("500.00"), D("27.8")),
    ]
    # A: 2 012,34 against 1 500,00; D closed: −200,00; C opened: +150,00; B unchanged (beyond the top 3)
    assert [(x.number, x.current, x.previous, x.difference) for x in review.changes] == [
        (a.number, D("2012.34"), D("1500.00"), D("512.34")),
        (d.number, D("0.00"), D("200.00"), D("-200.00")),
        (c.number, D("150.00"), D("0.00"), D("150.00")),
    ]
    assert [(x.basis, x.lines, x.accounts, x.amount, x.previous_lines) for x in review.bases] == [
        ("meter", 1, 1, D("600.00"), 1),
        ("average", 1, 1, D("150.00"), 1),
        ("norm", 1, 1, D("250.00"), 1),
        ("area", 2, 2, D("2300.00"), 2),
    ]


def test_first_month_has_nothing_to_compare(register):
    november = BillingPeriod.objects.get(month=NOVEMBER)
    review = draft_review(november)
    assert review.previous is None
    assert review.services[0].previous is None and review.services[0].difference is None
    assert [x.difference for x in review.changes] == [D("1500.00"), D("1050.00"), D("200.00")]


def test_back_office_page_in_the_portals_format_and_inside_the_organisation(client, register):
    december = register["december"]
    url = reverse("admin:billing_billingperiod_review", args=[december.pk])
    client.force_login(f.OperatorFactory(organisation=register["org"]))
    change = client.get(reverse("admin:billing_billingperiod_change", args=[december.pk])).content.decode()
    assert url in change  # linked from the period's page
    text = client.get(url).content.decode()
    assert "Наибольшие изменения по лицевым счетам" in text
    assert "2\xa0300,00\xa0₽" in text and "512,34\xa0₽" in text and "27,8" in text and "по прибору учёта" in text
    client.force_login(f.OperatorFactory())  # another organisation's operator
    assert client.get(url).status_code == 404
