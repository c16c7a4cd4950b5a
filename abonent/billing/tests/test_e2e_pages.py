"""In a browser: the subscriber's billing pages at phone and desk widths, with screenshots; none scrolls
sideways."""

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from abonent.billing.tests.test_statements import _setup
from abonent.testing.factories import AccountServiceOffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "abonent-statements"


def test_pages_at_phone_and_desk_width(live_server, page):
    org, account, user, last = _setup(14)
    AccountServiceOffFactory(account=account, since=dt.date(2026, 8, 1), reason="Нет подключения к горячей воде")
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    SHOTS.mkdir(exist_ok=True)
    paths = {
        "home": "/cabinet/",
        "card": f"/cabinet/accounts/{account.pk}/",
        "debt": f"/cabinet/accounts/{account.pk}/debt/",
        "history": f"/cabinet/accounts/{account.pk}/history/",
        "movement": f"/cabinet/accounts/{account.pk}/movement/",
        "common": f"/cabinet/accounts/{account.pk}/common/",
    }
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in paths.items():
            page.goto(live_server.url + path)
            assert page.locator("h1").first.is_visible()
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert wide, f"{name} scrolls sideways at {width} px"
    page.goto(live_server.url + "/cabinet/")
    page.get_by_role("link", name="Задолженность").first.click()
    assert page.get_by_text("Текущая задолженность").is_visible()
    page.get_by_role("navigation", name="Разделы лицевого счёта").get_by_role("link", name="Главная").click()
    assert page.locator("svg rect").count() > 10  # the 12 months' chart
    off = page.locator(".services-off")
    assert off.is_visible() and "не оказывается с 01.08.2026 — Нет подключения к горячей воде" in off.inner_text()
