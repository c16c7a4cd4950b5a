"""In a browser, through the sandbox and a real SMTP server: pay by card → the fiscal receipt arrives by e-mail →
it is listed in «Мои платежи» and opens; pay by СБП through the QR page and the sandbox bank's confirmation;
auto-pay turned on → a period published → the letter before, one charge, the receipt after."""

import datetime as dt
import re
import time
from decimal import Decimal as D

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from abonent.billing import cycle
from abonent.payments import autopay
from abonent.payments.models import AutoPay, AutoPayCharge, FiscalReceipt, Payment
from abonent.testing import axe
from abonent.testing import factories as f
from abonent.testing.smtp import smtp_server

from .conftest import MONTH, debt, indebted_account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server):
    account = indebted_account()
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/cabinet/pay/")
    return account, user


def wait_for(inbox, to, subject, count=1, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in inbox.to(to) if subject in m["Subject"]]
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {subject!r} to {to}: {[m['Subject'] for m in inbox.messages]}")


def pay_by_card(page, *, remember=False):
    if remember:
        page.get_by_label(re.compile("Запомнить карту")).check()
    page.get_by_role("button", name="Оплатить картой").click()
    page.get_by_label("Номер карты").fill("4111 1111 1111 1111")
    page.get_by_label("Срок (ММ/ГГ)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Оплатить", exact=True).click()
    expect(page.locator("td.status")).to_have_text("Зачислен")


def test_card_payment_receipt_emailed_and_listed(live_server, page, settings):
    with smtp_server(settings) as inbox:
        account, user = signed_in(page, live_server)
        pay_by_card(page)
        (letter,) = wait_for(inbox, user.email, "Кассовый чек")
        receipt = FiscalReceipt.objects.get()
        text = letter.get_body(preferencelist=("plain",)).get_content()
        assert f"ФН {receipt.fn}  ФД {receipt.fd}  ФП {receipt.fp}" in text
        assert f"&fn={receipt.fn}&i={receipt.fd}&fp={receipt.fp}&n=1" in text
        assert any(part.get_content_type() == "image/png" for part in letter.iter_attachments())
        page.goto(f"{live_server.url}/cabinet/payments/")
        page.get_by_role("link", name=f"Кассовый чек № {receipt.fd}").click()
        expect(page.locator("h1")).to_have_text("Кассовый чек — приход")
        expect(page.locator(".fiscal-receipt")).to_contain_text(f"ФП {receipt.fp}")
        expect(page.locator(".qr svg")).to_be_visible()
        assert axe.violations(page) == []
        page.goto(f"{live_server.url}/cabinet/payments/")
        assert axe.violations(page) == []
        assert debt(account) == D("0.00")


def test_sbp_payment(live_server, page, settings):
    with smtp_server(settings) as inbox:
        account, user = signed_in(page, live_server)
        page.get_by_role("button", name="Оплатить по СБП").click()
        expect(page.locator("h1")).to_have_text("Оплата по СБП")
        expect(page.locator(".qr svg")).to_be_visible()
        assert axe.violations(page) == []
        page.get_by_role("link", name="Открыть приложение банка").click()
        page.get_by_role("button", name="Подтвердить оплату").click()
        expect(page.locator("td.status")).to_have_text("Зачислен")
        wait_for(inbox, user.email, "Кассовый чек")
        payment = Payment.objects.get()
        assert payment.channel == Payment.Channel.SBP and debt(account) == D("0.00")


def test_autopay_turned_on_then_charged_once(live_server, page, settings):
    with smtp_server(settings) as inbox:
        account, user = signed_in(page, live_server)
        pay_by_card(page, remember=True)
        page.goto(f"{live_server.url}/cabinet/autopay/")
        assert axe.violations(page) == []
        page.get_by_label("Лимит в месяц, ₽").fill("5000")
        page.get_by_role("button", name="Включить автоплатёж").click()
        expect(page.locator(".autopay-on")).to_contain_text(f"Л/С № {account.number}")
        assert AutoPay.objects.get().active
        cycle.period_close(organisation=account.organisation, month=MONTH.replace(month=11))  # published
        today = account.organisation.today()
        autopay.autopay_run(today=today)
        (notice,) = wait_for(inbox, user.email, "Автоплатёж 1")
        charge_on = AutoPayCharge.objects.get().charge_on
        assert charge_on == today + dt.timedelta(days=3) and charge_on.strftime("%d.%m.%Y") in notice["Subject"]
        for _ in range(2):
            autopay.autopay_run(today=charge_on)
        wait_for(inbox, user.email, "Кассовый чек", count=2)
        assert Payment.objects.filter(external_id__startswith="autopay:").count() == 1
        assert debt(account) == D("0.00")
        page.goto(f"{live_server.url}/cabinet/payments/")
        expect(page.locator("td.fiscal a", has_text="Кассовый чек")).to_have_count(2)
