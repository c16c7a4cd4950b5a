"""Payment allocation (ПП РФ №354 п.118–119), computed by hand: proportional, a named service, a named month,
an overpayment, and partial payments over months through real closes."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from abonent.billing import cycle, statements
from abonent.billing.allocation import Debt, allocate, split
from abonent.billing.ledger import ledger_post_payment, ledger_reverse_payment
from abonent.billing.models import Allocation, Service, ServiceBalance
from abonent.testing import factories as f

WATER, HEAT = 1, 2
OCTOBER = dt.date(2026, 10, 1)


def test_split_rounds_each_part_and_puts_the_remainder_on_the_largest():
    # 333,33 × 0,6 = 199,998 → 200,00; × 0,4 = 133,332 → 133,33; sum 333,33
    assert split(D("333.33"), {WATER: D("600"), HEAT: D("400")}) == {WATER: D("200.00"), HEAT: D("133.33")}
    # 100 in three equal parts: 33,33 × 3 = 99,99, the kopeck goes to the first of the equal weights
    assert split(D("100"), {3: D("1"), 1: D("1"), 2: D("1")}) == {1: D("33.34"), 2: D("33.33"), 3: D("33.33")}
    assert split(D("5"), {WATER: D("0"), HEAT: D("-3")}) == {}


def test_proportional_to_the_document():
    debt = Debt(recent={WATER: D("600"), HEAT: D("400")}, document={WATER: D("600"), HEAT: D("400")})
    assert allocate(D("500"), debt) == {WATER: D("300.00"), HEAT: D("200.00")}


def test_named_service_takes_it_all_even_over_its_debt():
    debt = Debt(recent={WATER: D("600"), HEAT: D("400")}, document={WATER: D("600"), HEAT: D("400")})
    assert allocate(D("500"), debt, service=HEAT) == {HEAT: D("500")}


def test_oldest_first_unless_the_document_month_is_named():
    debt = Debt(
        older={WATER: D("100")},
        recent={WATER: D("600"), HEAT: D("400")},
        document={WATER: D("600"), HEAT: D("400")},
        month=OCTOBER,
    )
    # September's 100 first, then 400 over October 600 : 400
    assert allocate(D("500"), debt) == {WATER: D("340.00"), HEAT: D("160.00")}
    # October named: its charges first, 500 over 600 : 400; September's debt waits
    assert allocate(D("500"), debt, named_month=OCTOBER) == {WATER: D("300.00"), HEAT: D("200.00")}
    # a month not billed yet: all of it an advance, by the document's charges
    assert allocate(D("500"), debt, named_month=dt.date(2026, 11, 1)) == {WATER: D("300.00"), HEAT: D("200.00")}


def test_overpayment_is_an_advance_by_the_document():
    debt = Debt(recent={WATER: D("600"), HEAT: D("400")}, document={WATER: D("600"), HEAT: D("400")})
    # 1 000 pays both, 500 over 600 : 400
    assert allocate(D("1500"), debt) == {WATER: D("900.00"), HEAT: D("600.00")}
    # nothing billed yet: an advance not assigned to a service
    assert allocate(D("250"), Debt()) == {None: D("250")}


# --- through the close: June and July charged, paid in part in July and in August ---
JUNE, JULY, AUGUST = dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 1)


@pytest.fixture
def flat(db):
    org = f.OrganisationFactory(timezone="Europe/Moscow")
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    services = {}
    for code, price, order in (("water", D("600.00"), 1), ("heat", D("400.00"), 2)):
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code=code, sort_order=order)
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=price)
        services[code] = svc
    return org, account, services


def _close(org, month):
    return cycle.period_close(organisation=org, month=month)


def _parts(entry):
    return {a.service.code if a.service else None: a.amount for a in Allocation.objects.filter(entry=entry)}


def _rows(account, month):
    rows = ServiceBalance.objects.filter(account=account, period__month=month).select_related("service")
    return {r.service.code: (r.opening, r.charged, r.penalties, r.paid, r.closing) for r in rows}


@pytest.mark.django_db
def test_partial_payments_over_months(flat):
    org, account, _ = flat
    _close(org, JUNE)  # 600 water + 400 heat
    july_pay, _ = ledger_post_payment(
        account=account, amount=D("500"), paid_on=dt.date(2026, 7, 10), source="test", external_id="1"
    )
    assert _parts(july_pay) == {"water": D("300.00"), "heat": D("200.00")}
    _close(org, JULY)
    z = D("0")
    assert _rows(account, JULY) == {
        "water": (D("600"), D("600"), z, D("300"), D("900")),
        "heat": (D("400"), D("400"), z, D("200"), D("600")),
    }
    # August: the document is July (600 : 400), older than it — June's rest (300 : 200), paid first
    august_pay, _ = ledger_post_payment(
        account=account, amount=D("1000"), paid_on=dt.date(2026, 8, 10), source="test", external_id="2"
    )
    assert _parts(august_pay) == {"water": D("600.00"), "heat": D("400.00")}
    # the cancellation takes back what it paid, service by service
    cancel, _ = ledger_reverse_payment(
        account=account, amount=D("1000"), source="test", external_id="2", on=dt.date(2026, 8, 20)
    )
    assert _parts(cancel) == {"water": D("-600.00"), "heat": D("-400.00")}
    _close(org, AUGUST)
    # June's 500 unpaid since the due day 15.07: 47 days on 31.08, 17 × 500 × 0,095 / 300 = 2,69 of пени, split by
    # the August openings 900 : 600 — 1,614 → 1,61 and 1,076 → 1,08
    assert _rows(account, AUGUST) == {
        "water": (D("900"), D("600"), D("1.61"), z, D("1501.61")),
        "heat": (D("600"), D("400"), D("1.08"), z, D("1001.08")),
    }


@pytest.mark.django_db
def test_payment_naming_a_service_pays_that_service(flat):
    org, account, services = flat
    _close(org, JUNE)
    entry, _ = ledger_post_payment(
        account=account,
        amount=D("450"),
        paid_on=dt.date(2026, 7, 5),
        source="test",
        external_id="h",
        service_id=services["heat"].pk,
    )
    assert _parts(entry) == {"heat": D("450")}
    _close(org, JULY)
    assert _rows(account, JULY)["heat"][-1] == D("400") + D("400") - D("450")
    assert _rows(account, JULY)["water"][-1] == D("1200")


@pytest.mark.django_db
def test_debt_by_service_on_the_subscribers_page(flat, client):
    org, account, services = flat
    services["heat"].supplier = f.SupplierFactory(organisation=org, short_name="АО «Теплосеть»")
    services["heat"].payee = Service.Payee.DIRECT
    services["heat"].save()
    _close(org, JUNE)
    ledger_post_payment(account=account, amount=D("500"), paid_on=dt.date(2026, 7, 10), source="t", external_id="1")
    _close(org, JULY)
    # after July's document (water 900, heat 600) 250 more is paid, oldest first: June's rest 300 : 200 → 150, 100
    ledger_post_payment(account=account, amount=D("250"), paid_on=dt.date(2026, 8, 3), source="t", external_id="2")
    debts = statements.service_debts([account.pk])[account.pk]
    assert [(d.name, d.supplier, d.direct, d.debt) for d in debts] == [
        (services["water"].name, "", False, D("750.00")),
        (services["heat"].name, "АО «Теплосеть»", True, D("500.00")),
    ]
    assert sum(d.debt for d in debts) == statements.debt_of(account) == D("1250.00")
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client.force_login(user)
    page = client.get(reverse("billing:debt", args=[account.pk])).content.decode()
    assert "750,00\xa0₽" in page and "500,00\xa0₽" in page and "АО «Теплосеть» (оплата напрямую)" in page
    other = f.PersonalAccountFactory()
    assert client.get(reverse("billing:debt", args=[other.pk])).status_code == 404
