"""Calendar months: the unit of billing. A month is named by its first day."""

import datetime as dt

# How a month is named and written is Russian formatting, with the other formatting rules in lib.
from abonent.lib.dates import month_label, parse_month  # noqa: F401


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)
