"""Russian dates: "31.08.2018", "31.08.2018 14:05", "октябрь 2014" (how receipts and pages name a billing month).

Like the number filters, these return "" for None or "" and the value unchanged for what they cannot read.
"""

import datetime as dt

from django.utils import timezone

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


def ru_date(value):
    """date(2018, 8, 31) → "31.08.2018"; an aware datetime is shown in the current time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return value


def ru_datetime(value):
    """An aware datetime → "31.08.2018 14:05" in the current time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d.%m.%Y %H:%M")
    return ru_date(value)


def month_name(value):
    """date(2014, 10, 1) or "2014-10" → "октябрь 2014"."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return month_label(value)
    if isinstance(value, str):
        try:
            return month_label(parse_month(value))
        except ValueError:
            return value
    return value
