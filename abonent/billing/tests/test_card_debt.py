"""The account card shows the debt by service with the supplier (statements.debt_parts), cached with the card's
figures: a payment for one service, a supplier's new name show at once, a warm card runs few queries, and another
subscriber's account is 404."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from abonent.billing import cycle
from abonent.billing.ledger import ledger_post_payment
from abonent.billing.models import Service
from abonent.lib.numbers import money
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
JUNE = dt.date(2026, 6, 1)


@pytest.fixture(params=[False, True], ids=["figures-cache", "page-cache"])
def card(request, settings, client):
    settings.SUBSCRIBER_PAGE_CACHE = request.param
    org = f.OrganisationFactory(timezone="Europe/Moscow", short_name="УК «Дом»")
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    heat = f.SupplierFactory(organisation=org, short_name="АО «Теплосеть»")
    table = (("water", "Холодная вода", "600.00", None, Service.Payee.AGENT), ("heat", "Отопление", "400.00", heat,
             Service.Payee.DIRECT))  # fmt: skip
    services = {}
    for order, (code, name, price, supplier, payee) in enumerate(table):
        svc = f.ServiceFactory(
            organisation=org, code=code, name=name, method=Service.Method.FIXED, resource="", sort_order=order,
            supplier=supplier, payee=payee,
        )  # fmt: skip
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
        services[code] = svc
    cycle.period_close(organisation=org, month=JUNE)
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client.force_login(user)
    return {"account": account, "heat": heat, "services": services, "client": client}


def _rows(client, account) -> list[list[str]]:
    """The card's «Задолженность по услугам» table: its cells, row by row, tags stripped."""
    page = client.get(f"/cabinet/accounts/{account.pk}/").content.decode()
    assert "Задолженность по услугам" in page
    table = page.split("debt-by-service", 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    ]


def test_debt_by_service_with_the_supplier(card):
    rows = _rows(card["client"], card["account"])
    assert rows[:2] == [
        ["Холодная вода", "УК «Дом»", money(D("600")), money(D("0"))],
        ["Отопление", "АО «Теплосеть» (оплата напрямую)", money(D("400")), money(D("0"))],
    ]
    assert rows[2] == ["Итого", money(D("1000")), ""]


def test_a_suppliers_new_name_and_a_payment_for_one_service_show_at_once(card):
    client, account = card["client"], card["account"]
    _rows(client, account)  # cached
    card["heat"].short_name = "АО «Теплосеть-2»"
    card["heat"].save()
    assert _rows(client, account)[1][1] == "АО «Теплосеть-2» (оплата напрямую)"
    ledger_post_payment(
        account=account, amount=D("400"), paid_on=dt.date(2026, 7, 3), source="t", external_id="1",
        service_id=card["services"]["heat"].pk,
    )  # fmt: skip
    assert [r[:3] for r in _rows(client, account)[:1]] == [["Холодная вода", "УК «Дом»", money(D("600"))]]
    assert _rows(client, account)[-1] == ["Итого", money(D("600")), ""]  # the settled service left out


def test_warm_card_runs_few_queries_and_anothers_account_is_404(card, django_assert_max_num_queries):
    client, account = card["client"], card["account"]
    _rows(client, account)
    with django_assert_max_num_queries(3):  # session, user, the account with the access check
        assert client.get(f"/cabinet/accounts/{account.pk}/").status_code == 200
    other = f.PersonalAccountFactory()
    assert client.get(f"/cabinet/accounts/{other.pk}/").status_code == 404
