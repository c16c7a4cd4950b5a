"""The readings window: the days a reading is taken, the local midnight, late channels, a closed month."""

import datetime as dt

import pytest
import time_machine

from abonent.metering.errors import ReadingError
from abonent.metering.models import Reading
from abonent.metering.submit import reading_check
from abonent.metering.window import readings_close_month
from abonent.testing.factories import MeterFactory

from .conftest import IN_WINDOW, NOV, UTC, refused, submit

pytestmark = pytest.mark.django_db


class TestWindow:
    def test_before_the_window_is_refused_with_its_dates(self, meter):
        text = refused(meter, "10", "window", when=dt.datetime(2026, 11, 3, 9, tzinfo=UTC))
        assert "с 07.11.2026 по 25.11.2026" in text

    def test_after_the_window_names_the_next_one(self, meter):
        text = refused(meter, "10", "window", when=dt.datetime(2026, 11, 27, 9, tzinfo=UTC))
        assert "с 07.12.2026 по 25.12.2026" in text

    def test_the_window_closes_at_local_midnight(self, meter):
        # 25 Nov 21:00 UTC is already 26 Nov 01:00 in Ulyanovsk (UTC+4).
        refused(meter, "10", "window", when=dt.datetime(2026, 11, 25, 21, tzinfo=UTC))
        # 25 Nov 19:30 UTC is 23:30 local: still inside.
        assert submit(meter, "10", when=dt.datetime(2026, 11, 25, 19, 30, tzinfo=UTC)).period == NOV

    def test_the_window_opens_at_local_midnight(self, meter):
        # 6 Nov 20:30 UTC is 7 Nov 00:30 in Ulyanovsk: the server's date is still the 6th.
        assert submit(meter, "10", when=dt.datetime(2026, 11, 6, 20, 30, tzinfo=UTC)).period == NOV

    @pytest.mark.parametrize("channel", [Reading.Channel.IMPORT, Reading.Channel.BANK, Reading.Channel.OPERATOR])
    def test_late_channels_count_after_the_window_for_the_next_period(self, meter, channel):
        reading = submit(meter, "10", channel=channel, when=dt.datetime(2026, 11, 28, 9, tzinfo=UTC))
        assert reading.period == dt.date(2026, 12, 1)

    def test_default_time_is_the_organisations_today(self, meter):
        with time_machine.travel(dt.datetime(2026, 11, 10, 8, tzinfo=UTC), tick=False):
            assert submit(meter, "10", when=None).period == NOV
        with time_machine.travel(dt.datetime(2026, 11, 26, 8, tzinfo=UTC), tick=False):
            refused(meter, "10", "window", when=None)

    def test_a_closed_period_takes_no_readings(self, meter, org):
        readings_close_month(organisation=org, month=NOV)
        assert "закрыт" in refused(meter, "10", "period_closed")
        with pytest.raises(ReadingError) as info:
            reading_check(meter=meter, value_text="10", channel=Reading.Channel.PORTAL, when=IN_WINDOW)
        assert info.value.code == "period_closed"

    def test_closing_a_month_closes_it_for_that_organisation_only(self, meter, org):
        other = MeterFactory()  # another organisation, the same month
        readings_close_month(organisation=other.premises.building.organisation, month=NOV)
        assert submit(meter, "10").period == NOV
        # the next month stays open too: late channels still file into it
        readings_close_month(organisation=org, month=NOV)
        late = submit(meter, "11", channel=Reading.Channel.OPERATOR, when=dt.datetime(2026, 11, 28, 9, tzinfo=UTC))
        assert late.period == dt.date(2026, 12, 1)
