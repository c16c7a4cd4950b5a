"""reading_submit and friends: every rule of the value and the meter, corrections, as given / when / then."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db import connection as thread_connection

from abonent.metering.errors import ReadingError
from abonent.metering.models import Meter, Reading, ReadingMonth
from abonent.metering.submit import reading_check, reading_reject, reading_submit
from abonent.metering.window import readings_accept_period, readings_close_month
from abonent.testing.factories import (
    BuildingFactory,
    MeterFactory,
    OperatorFactory,
    OrganisationFactory,
    PremisesFactory,
)

from .conftest import IN_WINDOW, NOV, OCT, add_reading, refused, submit

pytestmark = pytest.mark.django_db


class TestValue:
    @pytest.mark.parametrize("text", ["123,45", "123.45", " 123,450 ", "00123,45"])
    def test_comma_and_point_are_both_accepted(self, meter, user, text):
        reading = submit(meter, text, user)
        assert reading.value == Decimal("123.45")
        assert reading.period == NOV
        assert reading.submitted_by == user
        assert reading.status == Reading.Status.PENDING and reading.is_current

    @pytest.mark.parametrize("text", ["12a", "abc", "1,2,3", "1e3", "12 345 ,5x"])
    def test_letters_are_refused(self, meter, text):
        assert "только цифры" in refused(meter, text, "format")

    def test_negative_is_refused(self, meter):
        assert "отрицательным" in refused(meter, "-5", "negative")

    def test_empty_is_refused(self, meter):
        assert "Введите показание" in refused(meter, "  ", "empty")

    def test_more_integer_digits_than_the_meter_has(self, meter):
        assert "5 цифр до запятой" in refused(meter, "123456", "too_many_digits")

    def test_more_decimals_than_the_meter_has(self, meter):
        assert "3 знака после запятой" in refused(meter, "12,3456", "too_many_decimals")

    def test_integer_only_meter(self, premises):
        meter = MeterFactory(premises=premises, digits_before=6, digits_after=0)
        assert "только целые" in refused(meter, "12,5", "too_many_decimals")
        assert submit(meter, "12").value == 12


class TestPrevious:
    def test_less_than_the_last_accepted_is_refused(self, meter):
        add_reading(meter, OCT, "500")
        text = refused(meter, "400", "less_than_previous")
        assert "меньше предыдущего" in text and "500" in text

    def test_rollover_needs_confirmation_then_counts(self, meter):
        add_reading(meter, OCT, "99995")
        assert "перешёл через ноль" in refused(meter, "00012", "confirm_rollover")
        reading = submit(meter, "00012", confirm_rollover=True)
        assert reading.rollover and reading.flagged and reading.value == 12

    def test_rejected_and_estimated_readings_are_not_the_baseline(self, meter):
        add_reading(meter, dt.date(2026, 9, 1), "100")
        add_reading(meter, OCT, "900", status=Reading.Status.REJECTED)
        add_reading(meter, OCT, "950", channel=Reading.Channel.ESTIMATE, is_current=False)
        verdict = reading_check(meter=meter, value_text="110", channel=Reading.Channel.PORTAL, when=IN_WINDOW)
        assert verdict.consumption == 10

    def test_initial_value_is_the_baseline_of_a_new_meter(self, premises):
        meter = MeterFactory(premises=premises, initial_value=Decimal("50"))
        refused(meter, "40", "less_than_previous")


class TestHighConsumption:
    def test_first_reading_of_an_old_meter_is_measured_from_its_installation(self, meter):
        assert not submit(meter, "300").flagged  # since March 2022: 56 months

    def test_above_ceiling_without_history_needs_confirmation_and_is_flagged(self, meter):
        add_reading(meter, OCT, "100")
        assert "необычно велик" in refused(meter, "140", "confirm_high")  # 40 м³ > 30 м³
        reading = submit(meter, "140", confirm_high=True)
        assert reading.flagged and not reading.rollover

    def test_above_ceiling_but_within_three_averages_passes(self, meter):
        for i, value in enumerate(["0", "15", "30", "45", "60", "75", "90"]):
            add_reading(meter, dt.date(2026, 4 + i, 1), value)  # 15 м³ a month
        reading = submit(meter, "130")  # 40 м³ < 3 × 15
        assert not reading.flagged

    def test_above_three_averages_and_ceiling_needs_confirmation(self, meter):
        for i, value in enumerate(["0", "5", "10", "15", "20", "25", "30"]):
            add_reading(meter, dt.date(2026, 4 + i, 1), value)  # 5 м³ a month
        refused(meter, "65", "confirm_high")  # 35 м³ > 30 and > 15

    def test_below_ceiling_passes_whatever_the_average(self, meter):
        add_reading(meter, dt.date(2026, 9, 1), "100")
        add_reading(meter, OCT, "101")
        assert not submit(meter, "120").flagged

    def test_ceiling_scales_with_months_since_the_last_reading(self, meter):
        add_reading(meter, dt.date(2026, 8, 1), "100")
        assert not submit(meter, "170").flagged  # 70 м³ over 3 months ≤ 90


class TestMeterState:
    def test_expired_verification_takes_no_input(self, meter):
        Meter.objects.filter(pk=meter.pk).update(verification_due=dt.date(2026, 11, 1))
        meter.refresh_from_db()
        text = refused(meter, "10", "meter_closed")
        assert "поверки" in text and "01.11.2026" in text
        assert "среднемесячному" in text and "нормативу" in text

    def test_closed_meter_takes_no_input(self, meter):
        Meter.objects.filter(pk=meter.pk).update(status=Meter.Status.CLOSED, closed_on=dt.date(2026, 10, 1))
        meter.refresh_from_db()
        assert "выведен из эксплуатации" in refused(meter, "10", "meter_closed")


class TestCorrections:
    def test_resubmission_replaces_the_current_and_keeps_the_old(self, meter, user):
        first = submit(meter, "10", user)
        second = submit(meter, "12,5", user, when=IN_WINDOW + dt.timedelta(hours=1))
        first.refresh_from_db()
        assert not first.is_current and second.is_current
        assert Reading.objects.filter(meter=meter, period=NOV).count() == 2
        assert Reading.objects.get(meter=meter, period=NOV, is_current=True).value == Decimal("12.5")

    def test_reject_with_reason(self, meter, org):
        operator = OperatorFactory(organisation=org)
        reading = submit(meter, "10")
        with pytest.raises(ReadingError):
            reading_reject(reading=reading, reason="  ", actor=operator)
        reading.refresh_from_db()
        assert reading.status == Reading.Status.PENDING
        reading_reject(reading=reading, reason="Фото не совпадает", actor=operator)
        reading.refresh_from_db()
        assert reading.status == Reading.Status.REJECTED and reading.reject_reason == "Фото не совпадает"
        assert reading.rejected_by == operator and reading.rejected_at

    def test_closing_a_month_accepts_its_pending_readings_once(self, meter, org):
        reading = submit(meter, "10")
        assert readings_close_month(organisation=org, month=NOV) == 1
        assert readings_close_month(organisation=org, month=NOV) == 0
        reading.refresh_from_db()
        assert reading.status == Reading.Status.ACCEPTED
        assert ReadingMonth.objects.filter(organisation=org).values_list("month", flat=True).get() == NOV

    def test_accept_period_accepts_current_pending_of_the_organisation_only(self, meter, org):
        other = MeterFactory()  # another organisation
        submit(meter, "10")
        mine = submit(meter, "11", when=IN_WINDOW + dt.timedelta(minutes=1))
        theirs = submit(other, "10")
        assert readings_accept_period(organisation=org, period=NOV) == 1
        assert readings_accept_period(organisation=org, period=NOV) == 0
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.status == Reading.Status.ACCEPTED
        assert theirs.status == Reading.Status.PENDING
        assert Reading.objects.filter(meter=meter, is_current=False, status=Reading.Status.PENDING).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks; two writer threads on its test DB deadlock"
)
def test_two_submissions_at_once_both_kept_one_current():
    org = OrganisationFactory(timezone="Europe/Ulyanovsk", readings_first_day=7, readings_last_day=25)
    meter = MeterFactory(premises=PremisesFactory(building=BuildingFactory(organisation=org)))
    barrier = threading.Barrier(4)
    errors = []

    def send(value):
        try:
            barrier.wait()
            reading_submit(meter=meter, value_text=value, user=None, channel=Reading.Channel.PORTAL, when=IN_WINDOW)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send, args=(str(10 + i),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Reading.objects.filter(meter=meter, period=NOV).count() == 4
    assert Reading.objects.filter(meter=meter, period=NOV, is_current=True).count() == 1
