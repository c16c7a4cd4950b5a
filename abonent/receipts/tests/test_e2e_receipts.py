"""In a browser: from the cabinet to the receipts, the print version with its QR code, the PDF."""

import pytest
from django.conf import settings
from django.test import Client

from abonent.testing import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cabinet_to_print_version(live_server, page, published):
    account = published["account"]
    link = f.AccountLinkFactory(account=account)
    client = Client()
    client.force_login(link.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/cabinet/")
    page.get_by_role("link", name="Квитанции").click()
    assert "ноябрь 2026" not in page.content()
    page.get_by_role("row", name="октябрь 2026").get_by_role("link", name="Квитанция для печати").click()
    page.wait_for_load_state("load")
    assert page.get_by_text(f"Лицевой счёт: {account.number}").is_visible()
    # The QR image really loaded (a broken image has no natural width).
    assert page.eval_on_selector(".qr img", "img => img.complete && img.naturalWidth") > 0
