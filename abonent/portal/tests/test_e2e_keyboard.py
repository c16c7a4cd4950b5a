"""Keyboard only (Tab, typing and Enter, no mouse): log in, send a reading, pay the debt by card in the sandbox."""

import pytest
from playwright.sync_api import expect

from abonent.demo.logins import DEMO_SUBSCRIBER
from abonent.metering.models import Reading
from abonent.orgs.models import Organisation
from abonent.payments.models import Payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches `selector`; fail if it cannot be reached by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab on {page.url}")


def test_login_readings_and_pay_by_keyboard(live_server, page, demo_cabinet):
    readings = next(path for path in demo_cabinet if path.endswith("/readings/"))
    account_id = int(readings.split("/")[3])
    Organisation.objects.update(readings_first_day=1, readings_last_day=31)  # the window is open whatever the date
    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(live_server.url + "/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(DEMO_SUBSCRIBER.username)
    tab_to(page, "input[name=password]", limit=3)
    page.keyboard.type(DEMO_SUBSCRIBER.password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Мои лицевые счета")

    tab_to(page, f"a[href='{readings}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Показания счётчиков")
    tab_to(page, "input[name^=value_]")
    field = page.evaluate("document.activeElement.name")
    page.keyboard.type("9,5")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Передать показания?")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".msg-success").first).to_be_visible()
    meter_id = int(field.removeprefix("value_"))
    assert Reading.objects.filter(meter_id=meter_id, value="9.5").exists()

    tab_to(page, ".account-nav a[href*='/cabinet/pay/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Оплата")
    tab_to(page, "form.card button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Номер карты")).to_be_visible()
    tab_to(page, "input[name=number]")
    page.keyboard.type("4111 1111 1111 1111")
    tab_to(page, "input[name=expiry]", limit=3)
    page.keyboard.type("12/30")
    tab_to(page, "input[name=cvc]", limit=3)
    page.keyboard.type("123")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Результат оплаты")
    assert Payment.objects.filter(account_id=account_id).exists()
    expect(page.locator("td.status").first).to_have_text("Зачислен")
