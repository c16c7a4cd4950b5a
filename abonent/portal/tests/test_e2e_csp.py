"""In a browser: the main subscriber pages, the sandbox acquirer, the printed receipt and the back office run
under the Content-Security-Policy without a single violation (Chromium reports each one in the console), and the
"Печать" button still prints, now from a static script."""

import pytest
from django.conf import settings
from django.test import Client

from abonent.payments.tests.conftest import indebted_account
from abonent.receipts.tests.conftest import published  # noqa: F401 - the fixture: an account with receipts
from abonent.testing import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Console:
    """Every console message and uncaught error of a tab; CSP violations are console errors in Chromium."""

    def __init__(self, page):
        self.messages = []
        page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))

    def violations(self):
        return [m for m in self.messages if "Content Security Policy" in m or m.startswith("pageerror")]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "default-src 'self'" in response.header_value("content-security-policy"), url
    page.wait_for_load_state("load")


def test_subscriber_pages_without_violations(live_server, page, published):  # noqa: F811
    console = Console(page)
    account = published["account"]
    log_in(page, live_server, f.AccountLinkFactory(account=account).user)
    base = f"{live_server.url}/cabinet/accounts/{account.pk}"
    for url in (
        f"{live_server.url}/",
        f"{live_server.url}/cabinet/",
        f"{base}/",
        f"{base}/history/",
        f"{base}/movement/",
        f"{base}/receipts/",
        f"{live_server.url}/profile/",
        f"{live_server.url}/profile/notifications/",
        f"{base}/receipts/2026-10/print/",
    ):
        visit(page, url)
    # the page's stylesheet applied (not blocked): the receipt's title is 12pt
    assert page.eval_on_selector("h1", "h => getComputedStyle(h).fontSize") == "16px"
    # "Печать" runs the static script: window.print is called
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Печать").click()
    assert page.evaluate("window.printed") is True
    assert console.violations() == []


def test_pay_page_and_sandbox_without_violations(live_server, page):
    console = Console(page)
    account = indebted_account()
    log_in(page, live_server, f.AccountLinkFactory(account=account).user)
    visit(page, f"{live_server.url}/cabinet/pay/")
    banner = page.locator(".test-mode strong")
    assert banner.inner_text() == "ТЕСТОВЫЙ РЕЖИМ: деньги не списываются"
    # large letters: the banner's stylesheet is applied under the policy
    assert float(page.eval_on_selector(".test-mode strong", "e => parseFloat(getComputedStyle(e).fontSize)")) >= 24
    page.get_by_role("button", name="Оплатить картой").click()
    page.wait_for_load_state("load")
    assert "/sandbox-acquirer/pay/" in page.url
    assert page.locator(".test-mode strong").is_visible()
    assert console.violations() == []


def test_back_office_without_violations(live_server, page):
    console = Console(page)
    operator = f.OperatorFactory()
    f.ServiceFactory(organisation=operator.organisation)
    log_in(page, live_server, operator)
    for path in (
        "/admin/",
        "/admin/payments/payment/",
        "/admin/billing/service/",
        "/admin/billing/service/add/",
        "/admin/support/appeal/",
    ):
        visit(page, f"{live_server.url}{path}")
    assert console.violations() == []
