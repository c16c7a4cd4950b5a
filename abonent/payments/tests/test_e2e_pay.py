"""In a browser: pay the debt with the sandbox's success card and see the balance change; a declined card changes
nothing. The sandbox notifies the live server over HTTP from its own thread, as an acquirer would."""

import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from abonent.payments.models import Payment
from abonent.testing import factories as f

from .conftest import debt, indebted_account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_pay(page, live_server):
    account = indebted_account()
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/cabinet/pay/")
    return account


def pay_with(page, number):
    expect(page.locator("td.due")).to_have_text(re.compile(r"1\s?500,00"))
    page.get_by_role("button", name="Оплатить картой").click()
    page.get_by_label("Номер карты").fill(number)
    page.get_by_label("Срок (ММ/ГГ)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Оплатить", exact=True).click()


def test_success_card_pays_the_debt(live_server, page):
    account = open_pay(page, live_server)
    pay_with(page, "4111 1111 1111 1111")
    expect(page.locator("h1")).to_have_text("Результат оплаты")
    expect(page.locator("td.status")).to_have_text("Зачислен")
    page.goto(f"{live_server.url}/cabinet/pay/")
    expect(page.locator("td.due")).to_have_text(re.compile(r"0,00"))
    assert debt(account) == D("0.00")
    assert Payment.objects.get(account=account).status == Payment.Status.CREDITED


def test_declined_card_changes_nothing(live_server, page):
    account = open_pay(page, live_server)
    pay_with(page, "4000 0000 0000 0002")
    expect(page.locator("td.status")).to_have_text("Отклонён")
    assert debt(account) == D("1500.00")
    page.goto(f"{live_server.url}/cabinet/pay/")
    expect(page.locator("td.due")).to_have_text(re.compile(r"1\s?500,00"))
