"""Paying one service alone from the pay page (seed 000: «ХВС» and «вывоз ЖБО» separately): the payment names the
service, the ledger allocates it all there; a service not offered is refused in Russian and nothing is created; a
registry line's named month is honoured."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from abonent.billing import cycle
from abonent.billing.models import Allocation, Service
from abonent.payments.models import Payment
from abonent.payments.providers import sandbox
from abonent.testing import factories as f

from .conftest import MONTH
from .test_card import card, logged_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def two_services_account():
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    made = {}
    for code, name, price in (("cold", "ХВС", "420.00"), ("septic", "Вывоз ЖБО", "310.50")):
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code=code, name=name)
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
        made[code] = svc
    cycle.period_close(organisation=org, month=MONTH)
    return account, made


def test_the_pay_page_pays_a_chosen_service(client, card):  # noqa: F811
    account, made = two_services_account()
    logged_in(client, account)
    page = client.get(reverse("payments:pay")).content.decode()
    assert f'<option value="{made["septic"].pk}" >Вывоз ЖБО — 310,50\xa0₽</option>' in page
    r = client.post(
        reverse("payments:pay"),
        {f"pay_{account.pk}": "on", f"amount_{account.pk}": "310,50", f"service_{account.pk}": made["septic"].pk},
    )
    assert r.status_code == 302
    payment = Payment.objects.get(account=account)
    assert payment.service == made["septic"]
    card(r["Location"], {"number": sandbox.SUCCESS_CARD, "expiry": "12/30", "cvc": "123"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED
    assert list(Allocation.objects.filter(account=account).values_list("service_id", "amount")) == [
        (made["septic"].pk, D("310.50"))
    ]


@pytest.mark.parametrize("value", ["abc", "999999", "-1"])
def test_a_service_not_offered_is_refused_and_nothing_is_created(client, value):
    account, made = two_services_account()
    other, other_made = two_services_account()
    logged_in(client, account)
    for bad in (value, str(other_made["cold"].pk)):
        r = client.post(
            reverse("payments:pay"),
            {f"pay_{account.pk}": "on", f"amount_{account.pk}": "100,00", f"service_{account.pk}": bad},
        )
        assert r.status_code == 200
        assert f"Л/С № {account.number}: выберите услугу из списка." in r.content.decode()
    assert not Payment.objects.exists()
