"""A meter whose verification ends soon: the readings page and the home warn 30 days ahead, say a month whose
verification ends before its last day is not charged by the reading, and after the date say why readings are
not used; the close charges that month by the average and the receipt says so."""

import datetime as dt
import io
import re
from decimal import Decimal as D

import pypdf
import pytest
import time_machine
from django.urls import reverse

from abonent.billing import cycle
from abonent.billing.models import Charge, Service
from abonent.metering.models import Meter, Reading, Resource
from abonent.metering.submit import reading_submit
from abonent.receipts import pdf
from abonent.receipts.selectors import receipts_for
from abonent.testing import factories as f

from .conftest import UTC

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 20, 9, tzinfo=UTC)  # 20.11.2026 13:00 in Ulyanovsk, inside the window 7–25


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def readings_page(client, account) -> str:
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("metering:readings", args=[account.pk])).content.decode()


def home(client) -> str:
    with time_machine.travel(TODAY, tick=False):
        return client.get("/cabinet/").content.decode()


def due(meter, day):
    Meter.objects.filter(pk=meter.pk).update(verification_due=day)


def test_thirty_days_ahead_the_readings_page_and_the_home_warn(logged_in, account, meter):
    due(meter, dt.date(2026, 12, 20))  # 30 days after 20.11
    text = readings_page(logged_in, account)
    assert "Срок поверки прибора учёта истекает 20.12.2026" in text
    assert "после этой даты показания не принимаются к расчёту" in text and "п.59, п.60" in text
    assert f'name="value_{meter.pk}"' in text  # still takes readings until then
    assert f"Прибор № {meter.serial_number}: Срок поверки прибора учёта истекает 20.12.2026" in home(logged_in)


def test_thirty_one_days_ahead_nothing_is_said(logged_in, account, meter):
    due(meter, dt.date(2026, 12, 21))
    assert "Срок поверки" not in readings_page(logged_in, account)
    assert "Срок поверки" not in home(logged_in)


def test_verification_ending_before_the_months_end_says_this_months_reading_will_not_count(logged_in, account, meter):
    due(meter, dt.date(2026, 11, 28))  # the reading sent today is accepted, but November ends after the 28th
    text = readings_page(logged_in, account)
    assert "истекает 28.11.2026, до конца месяца: показание за ноябрь 2026 не будет принято к расчёту" in text
    assert "по среднемесячному потреблению (не более 3 месяцев), затем по нормативу (ПП РФ №354, п.59, п.60)" in text
    assert "показание за ноябрь 2026 не будет принято к расчёту" in home(logged_in)


def test_after_the_date_the_page_says_readings_are_not_used_and_why(logged_in, account, meter):
    due(meter, dt.date(2026, 11, 10))
    text = readings_page(logged_in, account)
    assert f'name="value_{meter.pk}"' not in text
    assert "Срок поверки прибора учёта истёк 10.11.2026: показания с него не принимаются к расчёту" in text
    assert "затем по нормативу (ПП РФ №354, п.59, п.60)" in text
    assert "истёк 10.11.2026" in home(logged_in)


def test_the_home_warning_follows_the_day_with_the_page_cache_on(settings, logged_in, account, meter):
    # The home is cached per user and day: the day the warning appears is a new entry, not yesterday's page.
    settings.SUBSCRIBER_PAGE_CACHE = True
    due(meter, dt.date(2026, 12, 20))
    with time_machine.travel(TODAY - dt.timedelta(days=1), tick=False):
        assert "Срок поверки" not in logged_in.get("/cabinet/").content.decode()
        assert "Срок поверки" not in logged_in.get("/cabinet/").content.decode()  # served from the cache
    assert "истекает 20.12.2026" in home(logged_in)


def test_a_reading_accepted_before_the_verification_ends_mid_month_is_charged_by_the_average_and_the_receipt_says_so():
    org = f.OrganisationFactory(timezone="Europe/Moscow", readings_first_day=1, readings_last_day=25)
    account = f.PersonalAccountFactory(
        premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)), organisation=org
    )
    cold = f.ServiceFactory(organisation=org, code="cold", name="Холодное водоснабжение", method=Service.Method.METER,
                            resource=Resource.COLD_WATER)  # fmt: skip
    f.TariffFactory(service=cold, valid_from=dt.date(2025, 1, 1), valid_to=None, price=D("45.27"))
    f.NormFactory(service=cold, value=D("4.85"))
    meter = f.MeterFactory(
        premises=account.premises, resource=Resource.COLD_WATER, verification_due=dt.date(2026, 5, 15)
    )
    for month, value in [(1, "100"), (2, "106"), (3, "112"), (4, "118")]:
        Reading.objects.create(meter=meter, period=dt.date(2026, month, 1), value=D(value),
                               submitted_at=dt.datetime(2026, month, 20, 9, tzinfo=UTC),
                               channel=Reading.Channel.PORTAL, status=Reading.Status.ACCEPTED)  # fmt: skip
    # 10.05: the verification still runs, so the reading is taken ...
    sent = reading_submit(meter=meter, value_text="130", user=None, channel=Reading.Channel.PORTAL,
                          when=dt.datetime(2026, 5, 10, 9, tzinfo=UTC))  # fmt: skip
    for month in (1, 2, 3, 4, 5):
        cycle.period_close(organisation=org, month=dt.date(2026, month, 1))
    sent.refresh_from_db()
    assert sent.status == Reading.Status.ACCEPTED
    # ... but May ends after 15.05: by the average of January–April, (118 − 100) / 3 = 6 м³, not 130 − 118 = 12.
    may = Charge.objects.get(account=account, period__month=dt.date(2026, 5, 1))
    assert (may.basis, may.volume, may.amount) == (Charge.Basis.AVERAGE, D("6"), D("271.62"))
    (receipt,) = receipts_for(period=may.period, account_ids=[account.pk])
    (line,) = receipt.lines
    assert line.basis == "по среднемесячному объёму"
    note = (
        f"Прибор № {meter.serial_number}: срок поверки истёк 15.05.2026, показания не приняты к расчёту, "
        "начислено по среднему (ПП РФ №354, п.59, п.60)."
    )
    assert line.basis_note == note
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.render([receipt]))).pages)
    assert note in re.sub(r"\s+", " ", text.replace("\xa0", " "))


def test_the_cached_home_turns_the_day_at_the_organisations_midnight_not_the_servers(
    settings, logged_in, account, meter
):
    # Kamchatka is UTC+12, the server's Moscow UTC+3: at 12:00 UTC the day turns there, in Moscow it is 15:00.
    # Two minutes apart, well within the entry's timeout: only the day can make the page a new one.
    settings.SUBSCRIBER_PAGE_CACHE = True
    settings.BILLING_FIGURES_TIMEOUT = 3600  # as with Redis (local memory keeps an entry 30 s)
    account.organisation.timezone = "Asia/Kamchatka"
    account.organisation.save(update_fields=["timezone"])
    due(meter, dt.date(2026, 12, 20))  # warned from 20.11, the organisation's day
    with time_machine.travel(dt.datetime(2026, 11, 19, 11, 59, tzinfo=UTC), tick=False):  # 19.11 23:59 there
        assert "Срок поверки" not in logged_in.get("/cabinet/").content.decode()
        assert "Срок поверки" not in logged_in.get("/cabinet/").content.decode()  # served from the cache
    with time_machine.travel(dt.datetime(2026, 11, 19, 12, 1, tzinfo=UTC), tick=False):  # 20.11 00:01 there
        assert "истекает 20.12.2026" in logged_in.get("/cabinet/").content.decode()


def test_a_meter_saved_in_the_back_office_renews_the_cached_home_at_once(settings, logged_in, account, meter):
    # The back office saves a meter with Meter.save() (ModelAdmin.save_model): the cached home must not keep
    # the old verification date for the entry's lifetime.
    settings.SUBSCRIBER_PAGE_CACHE = True
    settings.BILLING_FIGURES_TIMEOUT = 3600
    due(meter, dt.date(2027, 6, 1))
    assert "Срок поверки" not in home(logged_in)
    assert "Срок поверки" not in home(logged_in)  # served from the cache
    meter.refresh_from_db()
    meter.verification_due = dt.date(2026, 12, 20)  # corrected by the operator: within 30 days of 20.11
    meter.save()
    assert f"Прибор № {meter.serial_number}: Срок поверки прибора учёта истекает 20.12.2026" in home(logged_in)
    meter.delete()  # a meter entered by mistake: the warning goes with it
    assert "Срок поверки" not in home(logged_in)
