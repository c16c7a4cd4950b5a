"""Penalties per the law through the close and the back office: the due date moved off a day off (ГК РФ ст.193) by
the production calendar and its operators' exceptions, a missing rate that stops the close, the warning a month
before the rate table ends, the rate table and the calendar edited in the admin. Figures by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from abonent.billing import cycle, errors, penalties
from abonent.billing.models import (
    AccountBalance,
    BillingPeriod,
    CalendarDay,
    Charge,
    Penalty,
    PenaltyRate,
    PeriodRun,
    Service,
)
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
OCTOBER, NOVEMBER, DECEMBER, JANUARY = (
    dt.date(2026, 10, 1),
    dt.date(2026, 11, 1),
    dt.date(2026, 12, 1),
    dt.date(2027, 1, 1),
)


def at(day: dt.date):
    """The clock at noon UTC of `day` (a timestamp: an aware datetime would switch the process's time zone)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp(), tick=False)


@pytest.fixture
def debt():
    """An account charged 1 000 ₽ for October 2026 only (due 15.11.2026, a Sunday) that never pays, and 10 ₽ a
    month from January 2027."""
    org = f.OrganisationFactory(payment_due_day=15)
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    once = f.ServiceFactory(organisation=org, code="once", name="once", method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=once, valid_from=OCTOBER, valid_to=dt.date(2026, 10, 31), price=D("1000"))
    later = f.ServiceFactory(organisation=org, code="later", name="later", method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=later, valid_from=JANUARY, valid_to=None, price=D("10"))
    return org, account


def close_until(org, *months):
    with at(dt.date(2027, 2, 10)):  # every month closed after its end
        for month in months:
            cycle.period_close(organisation=org, month=month)


def test_a_sunday_due_date_moves_to_monday_and_the_delay_is_counted_from_it(debt):
    org, account = debt
    assert penalties.due_date(org, OCTOBER) == dt.date(2026, 11, 16)  # 15.11.2026 is a Sunday
    close_until(org, OCTOBER, NOVEMBER, DECEMBER)
    december = Penalty.objects.get(account=account, period__month=DECEMBER)
    # Due Monday 16.11.2026, unpaid on 31.12.2026: 45 days, days 31–45 = 15 × 1000 × 0,095/300 = 4,75.
    # (Due 15.11 it would have been 46 days, 16 × 0,31667 = 5,07.)
    assert december.amount == D("4.75")
    assert "срок оплаты 16.11.2026, 45 дн." in december.basis
    assert not Penalty.objects.filter(account=account, period__month=NOVEMBER).exists()  # 14 days by 30.11


def test_a_close_that_needs_a_rate_the_table_lacks_stops_and_writes_nothing(debt):
    org, account = debt
    close_until(org, OCTOBER, NOVEMBER, DECEMBER)
    assert not PenaltyRate.objects.filter(valid_to__gte=JANUARY).exists()  # the seeded table ends on 31.12.2026
    with pytest.raises(errors.BillingError) as caught:
        close_until(org, JANUARY)
    message = str(caught.value)
    assert message == (
        "Нет ставки для пеней на 31.01.2027: пени на эти дни не рассчитать. Таблица ставок заканчивается "
        "31.12.2026. Добавьте ставку в «Ставки для пеней» и повторите расчёт; период не рассчитан."
    )
    period = BillingPeriod.objects.get(organisation=org, month=JANUARY)
    assert period.state == BillingPeriod.State.READINGS_CLOSED
    assert not Charge.objects.filter(period=period).exists()  # the 10 ₽ line went with the failed step
    assert not Penalty.objects.filter(period=period).exists()
    assert not AccountBalance.objects.filter(period=period).exists()
    run = PeriodRun.objects.get(period=period, step="calculate")
    assert (run.status, run.message) == (PeriodRun.Status.FAILED, message)

    # The operator adds the 2027 rate (the test's own figure): the rerun completes.
    PenaltyRate.objects.create(valid_from=JANUARY, valid_to=dt.date(2027, 12, 31), rate=D("9.5"), note="тест")
    close_until(org, JANUARY)
    # 16.11.2026 → 31.01.2027 is 76 days: 46 × 1000 × 0,095/300 = 14,5667 → 14,57, less 4,75 charged in December.
    assert Penalty.objects.get(account=account, period__month=JANUARY).amount == D("9.82")
    assert Charge.objects.get(account=account, period__month=JANUARY).amount == D("10.00")


def test_operators_exceptions_to_the_calendar_move_the_due_date(debt):
    org, account = debt
    other = f.OrganisationFactory(payment_due_day=15)
    # A decree the library does not know yet (made up for the test): Monday 16.11.2026 a day off for all.
    CalendarDay.objects.create(day=dt.date(2026, 11, 16), is_working=False, note="Перенос (тест)")
    assert penalties.due_date(other, OCTOBER) == dt.date(2026, 11, 17)
    # The organisation's own row wins over the library and the rows for all: Sunday 15.11.2026 made working.
    CalendarDay.objects.create(organisation=org, day=dt.date(2026, 11, 15), is_working=True, note="Рабочий (тест)")
    assert penalties.due_date(org, OCTOBER) == dt.date(2026, 11, 15)
    assert penalties.due_date(other, OCTOBER) == dt.date(2026, 11, 17)
    # A Saturday the library makes working (20.02.2027, a transfer of the production calendar) is a due day as it
    # is; the Saturday after it (27.02.2027) is not: Monday 01.03.2027.
    assert penalties.due_date(f.OrganisationFactory(payment_due_day=20), JANUARY) == dt.date(2027, 2, 20)
    assert penalties.due_date(f.OrganisationFactory(payment_due_day=27), JANUARY) == dt.date(2027, 3, 1)
    close_until(org, OCTOBER, NOVEMBER, DECEMBER)
    # Due 15.11.2026, unpaid on 31.12.2026: 46 days, days 31–46 = 16 × 1000 × 0,095/300 = 5,0667 → 5,07.
    assert Penalty.objects.get(account=account, period__month=DECEMBER).amount == D("5.07")


@pytest.mark.parametrize(
    ("today", "shown"),
    [
        (dt.date(2026, 11, 30), None),  # 30.12 is still in the table
        (dt.date(2026, 12, 1), "Таблица ставок для пеней заканчивается 31.12.2026: добавьте ставку с 01.01.2027"),
        (dt.date(2027, 1, 2), "Таблица ставок для пеней закончилась 31.12.2026"),
    ],
)
def test_the_back_office_warns_a_month_before_the_rate_table_ends(client, today, shown):
    user = f.UserFactory(is_staff=True, is_superuser=True)
    with at(today):
        client.force_login(user)
        for page in ("admin:billing_billingperiod_changelist", "admin:billing_penaltyrate_changelist"):
            html = client.get(reverse(page)).content.decode()
            if shown:
                assert shown in html
            else:
                assert "Таблица ставок для пеней" not in html
    PenaltyRate.objects.create(valid_from=JANUARY, valid_to=None, rate=D("9.5"), note="тест")
    with at(today):
        assert (
            "Таблица ставок для пеней"
            not in client.get(reverse("admin:billing_billingperiod_changelist")).content.decode()
        )


def _rate_form(**values):
    return {"valid_from": "01.01.2027", "valid_to": "31.12.2027", "rate": "9,5", "note": "тест", **values}


def test_rates_are_added_in_the_admin_checked_in_russian(client):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:billing_penaltyrate_add")
    before = PenaltyRate.objects.count()
    for values, error in (
        ({"valid_from": "01.12.2026"}, "Период действия ставки пересекается с другой ставкой."),
        ({"rate": "0"}, "Ставка должна быть больше нуля (ноль — только для моратория)."),
        ({"rate": "-1"}, "Ставка должна быть больше нуля (ноль — только для моратория)."),
        ({"valid_to": "31.12.2026"}, "Дата окончания раньше даты начала."),
    ):
        response = client.post(url, _rate_form(**values))
        assert response.status_code == 200
        assert error in response.content.decode()
    assert PenaltyRate.objects.count() == before
    assert client.post(url, _rate_form()).status_code == 302
    assert PenaltyRate.objects.get(valid_from=JANUARY).rate == D("9.5")
    # The database refuses an overlap too, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        PenaltyRate.objects.create(valid_from=dt.date(2027, 6, 1), valid_to=None, rate=D("8"))


def test_operators_keep_their_organisations_calendar_and_read_the_common_one(client):
    operator = f.OperatorFactory()
    common = CalendarDay.objects.create(day=dt.date(2027, 1, 11), is_working=False, note="Общий")
    others = CalendarDay.objects.create(
        organisation=f.OrganisationFactory(), day=dt.date(2027, 1, 12), is_working=False, note="Чужой"
    )
    client.force_login(operator)
    response = client.post(
        reverse("admin:billing_calendarday_add"),
        {"day": "11.05.2027", "is_working": "", "note": "Закон субъекта (тест)"},
    )
    assert response.status_code == 302
    own = CalendarDay.objects.get(day=dt.date(2027, 5, 11))
    assert (own.organisation_id, own.is_working) == (operator.organisation_id, False)
    listing = client.get(reverse("admin:billing_calendarday_changelist")).content.decode()
    assert "Общий" in listing and "Закон субъекта" in listing and "Чужой" not in listing
    change = reverse("admin:billing_calendarday_change", args=[common.pk])
    assert client.get(change).status_code == 200  # read-only
    client.post(change, {"day": "11.01.2027", "is_working": "on", "note": "Изменён"})
    common.refresh_from_db()
    assert (common.is_working, common.note) == (False, "Общий")
    assert client.get(reverse("admin:billing_calendarday_change", args=[others.pk])).status_code == 404
    # The same day twice in one organisation: a Russian message, no second row.
    response = client.post(reverse("admin:billing_calendarday_add"), {"day": "11.05.2027", "note": "Ещё раз"})
    assert "Этот день в календаре организации уже указан." in response.content.decode()
    assert CalendarDay.objects.filter(day=dt.date(2027, 5, 11)).count() == 1
