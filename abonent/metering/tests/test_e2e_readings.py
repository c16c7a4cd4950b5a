"""The readings page in a real browser, without JavaScript tricks: plain forms and buttons."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from abonent.metering.models import Reading
from abonent.orgs.dates import add_months, month_start
from abonent.testing.factories import (
    AccountLinkFactory,
    BuildingFactory,
    MeterFactory,
    OrganisationFactory,
    PersonalAccountFactory,
    PremisesFactory,
)

from .conftest import add_reading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def setup_account(window_open=True):
    org = OrganisationFactory(timezone="Europe/Ulyanovsk", readings_first_day=1, readings_last_day=31)
    today = org.today()
    if not window_open:
        day = 1 if today.day != 1 else 2  # a one-day window that is not today
        org.readings_first_day = org.readings_last_day = day
        org.save()
    premises = PremisesFactory(building=BuildingFactory(organisation=org))
    account = PersonalAccountFactory(premises=premises)
    link = AccountLinkFactory(account=account)
    meter = MeterFactory(premises=premises, digits_before=5, digits_after=3)
    return org, account, link.user, meter, month_start(today)


def open_page(page, live_server, user, account):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/cabinet/accounts/{account.pk}/readings/")


def test_send_then_correct_and_see_calculating(live_server, page):
    org, account, user, meter, period = setup_account()
    add_reading(meter, add_months(period, -1), "100")
    open_page(page, live_server, user, account)
    page.fill(f"#value_{meter.pk}", "105,5")
    page.click("text=Рассчитать расход")
    assert "Расход: 5,5" in page.inner_text(f"#meter-{meter.pk}")
    page.click("button:has-text('Передать показания')")
    page.click("text=Да, передать")
    assert "Показания переданы" in page.inner_text("main")
    assert "Рассчитывается" in page.inner_text(f"#meter-{meter.pk}")
    # Correct it ("Исправить"): the last one counts, both are kept.
    page.fill(f"#value_{meter.pk}", "106")
    page.click("button:has-text('Передать показания')")
    page.click("text=Да, передать")
    status = page.inner_text(f"#meter-{meter.pk} .current-status")
    assert "106" in status and "Рассчитывается" in status
    assert Reading.objects.filter(meter=meter, period=period).count() == 2


def test_outside_the_window_the_form_is_closed(live_server, page):
    org, account, user, meter, period = setup_account(window_open=False)
    open_page(page, live_server, user, account)
    assert "Приём показаний закрыт" in page.inner_text("main")
    assert page.locator(f"#value_{meter.pk}").count() == 0
    assert page.locator("text=Передать показания").count() == 0


def test_rollover_with_confirmation(live_server, page):
    org, account, user, meter, period = setup_account()
    add_reading(meter, add_months(period, -1), "99990")
    open_page(page, live_server, user, account)
    page.fill(f"#value_{meter.pk}", "00012")
    page.click("button:has-text('Передать показания')")
    assert "перешёл через ноль" in page.inner_text(f"#meter-{meter.pk}")
    page.check(f"#rollover_{meter.pk}")
    page.click("button:has-text('Передать показания')")
    assert "переход через ноль" in page.inner_text("main")
    page.click("text=Да, передать")
    assert "Рассчитывается" in page.inner_text(f"#meter-{meter.pk}")
    assert Reading.objects.get(meter=meter, period=period).rollover


def test_expired_meter_takes_no_input(live_server, page):
    org, account, user, meter, period = setup_account()
    meter.verification_due = org.today() - dt.timedelta(days=1)
    meter.save()
    open_page(page, live_server, user, account)
    text = page.inner_text(f"#meter-{meter.pk}")
    assert "Срок поверки прибора учёта истёк" in text and "нормативу" in text
    assert page.locator(f"#value_{meter.pk}").count() == 0
