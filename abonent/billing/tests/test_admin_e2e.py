"""In a real browser: the demo operator logs into the back office and changes a tariff."""

import datetime as dt
from decimal import Decimal

import pytest

from abonent.billing.models import Tariff
from abonent.testing import factories as f


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_operator_logs_in_and_changes_a_tariff(live_server, page):
    # given the demo operator of a management company with cold water at 45,27 ₽ from 1 January
    operator = f.OperatorFactory(username="operator", password="operator-2026")
    tariff = f.TariffFactory(
        service__organisation=operator.organisation,
        service__name="Холодное водоснабжение",
        valid_from=dt.date(2026, 1, 1),
        valid_to=None,
    )
    other = f.ServiceFactory(name="Чужая услуга")  # another organisation's: must not show

    # when they log in at /admin/
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-2026")
    page.click("input[type=submit]")
    # and open Услуги → the service, change the price in its tariffs and save
    page.get_by_role("link", name="Услуги", exact=True).first.click()
    assert page.get_by_text(other.name).count() == 0
    page.get_by_role("link", name="Холодное водоснабжение").click()
    price = page.locator("input[name='tariffs-0-price']")
    assert price.input_value() == "45,27"  # as set, not with the stored "45,2700"
    price.fill("47,53")
    page.click("input[name='_save']")

    # then the page says it is saved, and the database holds the new price
    success = page.locator(".messagelist .success")
    assert "успешно изменен" in success.inner_text()
    tariff.refresh_from_db()
    assert tariff.price == Decimal("47.53")
    assert Tariff.objects.count() == 1
