"""In a browser, on a phone and a desk: add an account by choosing the house from the organisation's list (found
by typing part of the street), reload the captcha, and unlink the account after confirming."""

import pytest
from captcha.conf import settings as captcha_settings
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from abonent.testing import factories as f
from abonent.users.models import AccountLink

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _captcha_passes(settings, monkeypatch):
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.mark.parametrize("width", [375, 1280])
def test_add_account_from_the_house_list_then_unlink(live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    org = f.OrganisationFactory()
    for n in range(1, 26):
        f.BuildingFactory(organisation=org, address=f"г. Тестовск, ул. Садовая, д. {n}")
    house = f.BuildingFactory(organisation=org, address="г. Тестовск, ул. Лесная, д. 3")
    account = f.PersonalAccountFactory(
        premises=f.PremisesFactory(building=house, number="12"), activation_code="4321-8765-2109"
    )
    login(page, live_server, f.UserFactory())
    page.goto(f"{live_server.url}/cabinet/")
    page.get_by_role("link", name="Добавить лицевой счёт").first.click()
    key = page.locator("input[name='captcha_0']").input_value()
    page.get_by_role("button", name="Загрузить новый код").click()
    expect(page.locator("input[name='captcha_0']")).not_to_have_value(key)
    page.select_option("#id_organisation", str(org.pk))
    expect(page.locator("#id_building option")).to_have_count(21)  # «—» and the first 20 houses
    page.fill("#id_house_search", "лесн")
    expect(page.locator("#id_building option")).to_have_count(2)
    page.select_option("#id_building", label="г. Тестовск, ул. Лесная, д. 3")
    page.fill("#id_apartment", "12")
    page.fill("#id_account_number", account.number)
    page.fill("#id_activation_code", "4321-8765-2109")
    page.fill("#id_captcha_1", "PASSED")
    page.get_by_role("button", name="Добавить", exact=True).click()
    page.wait_for_url("**/cabinet/")
    expect(page.locator(".account-card", has_text=account.number)).to_have_count(1)

    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("link", name="Отключить").click()
    expect(page.locator("h1")).to_have_text("Отключить лицевой счёт?")
    assert AccountLink.objects.filter(account=account).exists()  # asking is not doing
    page.get_by_role("button", name="Да, отключить").click()
    page.wait_for_url("**/profile/")
    expect(page.locator("main")).to_contain_text(f"Лицевой счёт {account.number} отключён")
    assert not AccountLink.objects.filter(account=account).exists()
