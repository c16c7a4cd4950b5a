import datetime as dt

import time_machine

from abonent.orgs.dates import add_months, month_end, month_label
from abonent.orgs.models import Organisation


def org(tz="Europe/Ulyanovsk", **kwargs):
    return Organisation(timezone=tz, **kwargs)


@time_machine.travel(dt.datetime(2026, 10, 31, 21, 30, tzinfo=dt.UTC), tick=False)
def test_today_is_the_organisations_local_date_not_the_servers():
    # 21:30 UTC on 31 October is already 1 November in Ulyanovsk (UTC+4) and Ufa (UTC+5).
    assert org("Europe/Ulyanovsk").today() == dt.date(2026, 11, 1)
    assert org("Asia/Yekaterinburg").today() == dt.date(2026, 11, 1)
    assert org("Europe/Kaliningrad").today() == dt.date(2026, 10, 31)


def test_readings_window_is_clamped_to_the_month():
    o = org(readings_first_day=20, readings_last_day=31)
    assert o.readings_window(dt.date(2026, 2, 1)) == (dt.date(2026, 2, 20), dt.date(2026, 2, 28))


def test_month_helpers():
    assert month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert month_label(dt.date(2014, 10, 1)) == "октябрь 2014"
