"""In a browser, on a phone and a desk: "Оплата" on one account's card ticks only that account; a declined card
shows the bank's reason in Russian; "Мои платежи" lists the payment."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from abonent.testing import factories as f

from .conftest import indebted_account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.mark.parametrize("width", [375, 1280])
def test_pay_one_account_declined_then_listed(live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    first, second = indebted_account(), indebted_account()
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=first)
    f.AccountLinkFactory(user=user, account=second)
    login(page, live_server, user)
    page.goto(f"{live_server.url}/cabinet/accounts/{second.pk}/")
    page.locator("a", has_text="Оплата").first.click()
    expect(page.locator(f"#pay_{second.pk}")).to_be_checked()
    expect(page.locator(f"#pay_{first.pk}")).not_to_be_checked()
    page.get_by_role("button", name="Оплатить картой").click()
    page.get_by_label("Номер карты").fill("4000 0000 0000 0002")
    page.get_by_label("Срок (ММ/ГГ)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Оплатить", exact=True).click()
    expect(page.locator("td.status")).to_have_text("Отклонён")
    expect(page.locator(".decline-reason")).to_contain_text("Недостаточно средств на карте.")
    page.locator("#main").get_by_role("link", name="Мои платежи").click()  # the menu has one too
    row = page.locator("table.my-payments tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Л/С № {second.number}")
    expect(row).to_contain_text("1 500,00")
    expect(row).to_contain_text("Отклонён")
    expect(row).to_contain_text("Недостаточно средств на карте.")
