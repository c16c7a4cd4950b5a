"""The "Показания" page and a meter's history, through HTTP with the real middleware and templates."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from abonent.billing import cycle
from abonent.metering.models import Meter, Reading
from abonent.testing.factories import AccountLinkFactory, MeterFactory, ServiceFactory, TariffFactory, UserFactory

from .conftest import UTC, add_reading

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def in_window():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def url(account):
    return reverse("metering:readings", args=[account.pk])


def test_another_users_account_and_meter_answer_404(client, account, meter, in_window):
    stranger = UserFactory()
    AccountLinkFactory(user=stranger)  # linked to some other account
    client.force_login(stranger)
    assert client.get(url(account)).status_code == 404
    assert client.post(url(account), {f"value_{meter.pk}": "1", "action": "submit", "confirm": "1"}).status_code == 404
    assert client.get(reverse("metering:meter_history", args=[account.pk, meter.pk])).status_code == 404
    assert Reading.objects.count() == 0


def test_a_meter_of_another_premises_answers_404_in_history(logged_in, account, in_window):
    other = MeterFactory()
    assert logged_in.get(reverse("metering:meter_history", args=[account.pk, other.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, account):
    response = client.get(url(account))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_page_shows_meter_facts_and_status(logged_in, account, meter, in_window):
    add_reading(meter, OCT, "100.5")
    Reading.objects.create(
        meter=meter, period=NOV, value=Decimal("103"), submitted_at=dt.datetime(2026, 11, 10, tzinfo=UTC),
        channel=Reading.Channel.PORTAL, status=Reading.Status.REJECTED, reject_reason="Цифры не читаются",
    )  # fmt: skip
    page = logged_in.get(url(account)).content.decode()
    assert meter.serial_number in page and "Ванная" in page
    assert "10.03.2022" in page  # sealed (admission) date
    assert "01.01.2030" in page  # verification due
    assert "100,5" in page
    assert "Отклонено: Цифры не читаются" in page
    assert "Передать показания" in page and "Рассчитать расход" in page


def test_calculate_shows_consumption_and_cost_and_saves_nothing(logged_in, account, meter, org, in_window):
    service = ServiceFactory(organisation=org, name="Холодное водоснабжение")
    TariffFactory(service=service, valid_from=dt.date(2026, 7, 1), valid_to=None, price=Decimal("45.27"))
    add_reading(meter, OCT, "100")
    response = logged_in.post(url(account), {f"value_{meter.pk}": "112,5", "action": "calculate"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "12,5" in text and "565,88" in text  # 12.5 × 45.27 = 565.875 → 565.88
    assert Reading.objects.filter(period=NOV).count() == 0


def test_submit_asks_to_confirm_then_saves_and_correction_replaces(logged_in, account, meter, user, in_window):
    add_reading(meter, OCT, "100")
    response = logged_in.post(url(account), {f"value_{meter.pk}": "110", "action": "submit"})
    assert "Передать показания?" in response.content.decode()
    assert Reading.objects.filter(period=NOV).count() == 0
    response = logged_in.post(url(account), {f"value_{meter.pk}": "110", "action": "submit", "confirm": "1"})
    assert response.status_code == 302
    page = logged_in.get(url(account)).content.decode()
    assert "Показания переданы" in page and "Рассчитывается" in page
    logged_in.post(url(account), {f"value_{meter.pk}": "111.5", "action": "submit", "confirm": "1"})
    current = Reading.objects.get(meter=meter, period=NOV, is_current=True)
    assert current.value == Decimal("111.5") and current.submitted_by == user
    assert current.channel == Reading.Channel.PORTAL
    assert Reading.objects.filter(meter=meter, period=NOV).count() == 2


def test_bad_value_shows_russian_error_and_saves_nothing(logged_in, account, meter, premises, in_window):
    second = MeterFactory(premises=premises, resource="hot_water")
    add_reading(second, OCT, "7.125")
    response = logged_in.post(
        url(account),
        {f"value_{meter.pk}": "12", f"value_{second.pk}": "12abc", "action": "submit", "confirm": "1"},
    )
    assert response.status_code == 400
    assert "только цифры" in response.content.decode()
    assert "7,125" in response.content.decode()  # the whole page again, last readings included
    assert Reading.objects.count() == 1  # the good meter's value is not saved either


def test_nothing_typed(logged_in, account, meter, in_window):
    response = logged_in.post(url(account), {"action": "submit"})
    assert response.status_code == 400 and "хотя бы одного" in response.content.decode()


def test_rollover_and_high_need_the_checkbox(logged_in, account, meter, in_window):
    add_reading(meter, OCT, "99990")
    data = {f"value_{meter.pk}": "5", "action": "submit", "confirm": "1"}
    response = logged_in.post(url(account), data)
    assert response.status_code == 400 and f'name="rollover_{meter.pk}"' in response.content.decode()
    assert Reading.objects.filter(period=NOV).count() == 0
    logged_in.post(url(account), {**data, f"rollover_{meter.pk}": "1"})
    assert Reading.objects.get(period=NOV).rollover


def test_outside_the_window_the_form_is_closed(logged_in, account, meter):
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=UTC), tick=False):
        response = logged_in.get(url(account))
        text = response.content.decode()
        assert "Приём показаний закрыт" in text and "с 07.12.2026 по 25.12.2026" in text
        assert f'name="value_{meter.pk}"' not in text
        logged_in.post(url(account), {f"value_{meter.pk}": "5", "action": "submit", "confirm": "1"})
    assert Reading.objects.count() == 0


def test_expired_meter_shows_no_input_and_the_explanation(logged_in, account, meter, in_window):
    Meter.objects.filter(pk=meter.pk).update(verification_due=dt.date(2026, 10, 31))
    text = logged_in.get(url(account)).content.decode()
    assert f'name="value_{meter.pk}"' not in text
    assert "Срок поверки прибора учёта истёк 31.10.2026" in text and "нормативу" in text
    logged_in.post(url(account), {f"value_{meter.pk}": "5", "action": "submit", "confirm": "1"})
    assert Reading.objects.count() == 0


def test_history_24_months_with_chart_and_estimates(
    logged_in, account, meter, in_window, django_assert_max_num_queries
):
    value = Decimal("100")
    period = dt.date(2024, 10, 1)
    while period <= OCT:
        value += 5
        channel = Reading.Channel.ESTIMATE if period == dt.date(2026, 5, 1) else Reading.Channel.PORTAL
        add_reading(meter, period, value, channel=channel)
        period = (period + dt.timedelta(days=32)).replace(day=1)
    with django_assert_max_num_queries(8):
        response = logged_in.get(reverse("metering:meter_history", args=[account.pk, meter.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in text and text.count('class="bar') == 24
    assert text.count('class="bar estimated"') == 1
    assert "расчётно" in text
    assert "декабрь 2024" in text and "ноябрь 2026" in text


def test_page_queries_are_bounded_whatever_the_number_of_meters(
    logged_in, account, premises, org, in_window, django_assert_max_num_queries
):
    ServiceFactory(organisation=org)
    for resource in ("cold_water", "hot_water", "electricity", "heat"):
        meter = MeterFactory(premises=premises, resource=resource)
        for month in range(1, 11):
            add_reading(meter, dt.date(2026, month, 1), str(month * 3))
    with django_assert_max_num_queries(10):
        response = logged_in.get(url(account))
    assert response.status_code == 200 and response.content.decode().count('class="card meter"') == 4


def test_field_names_carry_large_ids_unformatted(logged_in, account, premises, in_window):
    # Ids beyond 999 once rendered as "value_24 016" (thousand separators), so no reading of a real city's meter
    # could be found in the POST. The form must name every meter by its plain id.
    meter = MeterFactory(pk=1_234_567, premises=premises, verification_due=dt.date(2030, 1, 1))
    page = logged_in.get(url(account)).content.decode()
    assert 'name="value_1234567"' in page
    response = logged_in.post(url(account), {"value_1234567": "12,5", "action": "submit", "confirm": "1"})
    assert response.status_code == 302
    assert meter.readings.get(is_current=True).value == Decimal("12.5")


def test_a_meter_of_another_premises_in_a_crafted_form_saves_nothing(logged_in, account, meter, in_window):
    # The confirmed save reads meter ids from the form's field names: one of another flat must not be written,
    # and the subscriber's own value in the same form is not saved either (all or none).
    foreign = MeterFactory(verification_due=dt.date(2030, 1, 1))
    response = logged_in.post(
        url(account), {f"value_{meter.pk}": "5", f"value_{foreign.pk}": "5", "action": "submit", "confirm": "1"}
    )
    assert response.status_code == 400
    assert Reading.objects.count() == 0


def test_several_meters_are_saved_in_one_confirmed_form(logged_in, account, meter, premises, in_window):
    second = MeterFactory(premises=premises, resource="hot_water", verification_due=dt.date(2030, 1, 1))
    add_reading(meter, OCT, "100")
    add_reading(second, OCT, "40")
    data = {f"value_{meter.pk}": "104,5", f"value_{second.pk}": "42", "action": "submit", "confirm": "1"}
    assert logged_in.post(url(account), data).status_code == 302
    saved = dict(Reading.objects.filter(period=NOV, is_current=True).values_list("meter_id", "value"))
    assert saved == {meter.pk: Decimal("104.5"), second.pk: Decimal("42")}


def test_each_meter_of_a_form_is_checked_against_its_own_history(logged_in, account, meter, premises, in_window):
    # The confirmed save reads every meter's earlier readings in one query: 99 is below the first meter's 100
    # yet above the second's 40, so the form is refused as a whole, and nothing is saved.
    second = MeterFactory(premises=premises, resource="hot_water", verification_due=dt.date(2030, 1, 1))
    add_reading(meter, OCT, "100")
    add_reading(second, OCT, "40")
    data = {f"value_{meter.pk}": "99", f"value_{second.pk}": "41", "action": "submit", "confirm": "1"}
    response = logged_in.post(url(account), data)
    assert response.status_code == 400
    assert "меньше предыдущего" in response.content.decode()
    assert not Reading.objects.filter(period=NOV).exists()


@pytest.mark.parametrize("shared_cache", [False, True])
def test_confirmed_save_runs_a_fixed_number_of_queries(
    logged_in, account, meter, premises, in_window, django_assert_max_num_queries, settings, shared_cache
):
    # The busiest write of the month (bench/readings.py): session, user, the access check with the
    # organisation's window, then lock + period state + earlier readings, retire, insert, inside one transaction,
    # and one look-up of the organisation's webhook endpoints (abonent.api.receivers); the same whatever the
    # number of meters or the length of their history. With a shared cache (Redis in
    # production; this process's memory here) the user comes from it.
    settings.SHARED_CACHE = shared_cache
    meters = [meter] + [MeterFactory(premises=premises, verification_due=dt.date(2030, 1, 1)) for _ in range(3)]
    for m in meters:
        for month in range(1, 11):
            add_reading(m, dt.date(2026, month, 1), str(month * 3))
    data = {f"value_{m.pk}": "31" for m in meters} | {"action": "submit", "confirm": "1"}
    assert logged_in.post(url(account), data).status_code == 302  # the user cached, if shared
    with django_assert_max_num_queries(8 if shared_cache else 9):
        assert logged_in.post(url(account), data).status_code == 302
    assert Reading.objects.filter(period=NOV, is_current=True).count() == 4
    assert Reading.objects.filter(period=NOV).count() == 8


def test_after_an_early_close_the_page_says_closed_and_offers_no_field(logged_in, account, meter, in_window):
    # given the month's readings closed on the 20th, inside the window (7–25), by an operator with a reason

    assert f'name="value_{meter.pk}"' in logged_in.get(url(account)).content.decode()
    cycle.period_close(
        organisation=account.organisation, month=NOV, step="close_readings", force_reason="Переход на новую систему"
    )
    # then the page no longer says the window is open, nor offers a field that could only be refused
    text = logged_in.get(url(account)).content.decode()
    assert "Приём показаний закрыт" in text and "открыт до" not in text
    assert f'name="value_{meter.pk}"' not in text
    assert "с 07.12.2026 по 25.12.2026" in text  # the next window: December's
    logged_in.post(url(account), {f"value_{meter.pk}": "5", "action": "submit", "confirm": "1"})
    assert Reading.objects.count() == 0
