"""The demo in a browser: the subscriber's pages with real content on them, for the sweeps over every page."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from abonent.demo.logins import DEMO_SUBSCRIBER
from abonent.metering.models import Meter
from abonent.support import services
from abonent.support.models import PaidService
from abonent.users.models import AccountLink


def subscriber_pages(account_id, meter_id) -> list[str]:
    acc = f"/cabinet/accounts/{account_id}"
    return [
        "/cabinet/",
        f"{acc}/",
        f"{acc}/debt/",
        f"{acc}/history/",
        f"{acc}/movement/",
        f"{acc}/common/",
        f"{acc}/readings/",
        f"{acc}/meters/{meter_id}/history/",
        f"{acc}/receipts/",
        "/cabinet/pay/",
        "/cabinet/payments/",
        "/cabinet/autopay/",
        "/profile/",
        "/profile/notifications/",
        "/cabinet/reading-reminders/",
        "/cabinet/appeals/",
        "/cabinet/appeals/new/",
        "/cabinet/paid-services/",
        "/cabinet/outages/",
        "/cabinet/connections/",
        "/cabinet/accounts/add/",
    ]


@pytest.fixture
def demo_cabinet(live_server, page):
    """The demo (one month of history) and the demo subscriber logged in: pages with real content on them."""
    call_command("seed_demo", "--months", "1", "--verbosity", "0", stdout=io.StringIO(), stderr=io.StringIO())
    links = AccountLink.objects.filter(user__username=DEMO_SUBSCRIBER.username).select_related("account")
    link, meter = next((lk, m) for lk in links if (m := Meter.objects.filter(premises=lk.account.premises).first()))
    client = Client()
    client.force_login(link.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return subscriber_pages(link.account_id, meter.pk) + _requests(link)


def _requests(link) -> list[str]:
    """An appeal and a paid-service request of the subscriber: their own pages, with the forms on them."""

    user, account = link.user, link.account
    appeal = services.appeal_create(
        user=user, account_id=account.pk, topic="other", text="Прошу пересчитать воду.", contact="demo@example.ru"
    )
    service = PaidService.objects.create(organisation=account.organisation, name="Замена счётчика", price="1500.00")
    request = services.paid_request_create(
        user=user,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=dt.date.today() + dt.timedelta(days=7),
        contact="+7 900 000-00-00",
    )
    return [f"/cabinet/appeals/{appeal.pk}/", f"/cabinet/paid-services/requests/{request.pk}/"]
