"""Calendar months: the unit of billing. A month is named by its first day."""

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


MONTHS_NOMINATIVE = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)


def month_label(month: dt.date) -> str:
    """ "октябрь 2014": how Russian receipts and pages name a billing month."""
    return f"{MONTHS_NOMINATIVE[month.month - 1]} {month.year}"


def parse_month(text: str) -> dt.date:
    """ "2026-10" → 1 October 2026; ValueError for anything else."""
    year, month = text.strip().split("-")
    return dt.date(int(year), int(month), 1)
