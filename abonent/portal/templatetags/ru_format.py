"""Russian number and date formatting for templates: "1 234,56 ₽", "31.08.2018", "октябрь 2014".

Filters, not the locale machinery, because receipts, PDFs and e-mails need the same text whatever the
request's language, and because money must be rounded half-up from Decimal (never through float).
Every filter returns "" for None or "" and the value unchanged for something it cannot read, as Django's own
filters do, so a page never breaks on one odd value.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

from abonent.orgs.dates import month_label, parse_month

register = template.Library()

NBSP = "\u00a0"  # between thousands and before "₽": never broken across lines
MINUS = "-"  # a plain hyphen-minus: copied into a bank app or a spreadsheet, it still reads as a number
RUBLE = "₽"


def to_decimal(value) -> Decimal | None:
    """Decimal from a Decimal, int, str ("123,45" too) or float (through its shortest text, not its binary value)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str):
        text = value.strip().replace(NBSP, "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def format_decimal(number: Decimal, places: int, min_places: int | None = None) -> str:
    """Round half-up to `places`, drop trailing zeros down to `min_places` (default: keep all), group by 3."""
    places = max(0, int(places))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,00" for a value that rounds to nothing
    text = f"{abs(rounded):,.{places}f}"
    whole, _, fraction = text.partition(".")
    if min_places is not None:
        keep = max(0, int(min_places))
        while len(fraction) > keep and fraction.endswith("0"):
            fraction = fraction[:-1]
    whole = whole.replace(",", NBSP)
    sign = MINUS if rounded < 0 else ""
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


@register.filter
def ru_decimal(value, places=2):
    """12345.678 → "12 345,68"; `|ru_decimal:3` for volumes in м³."""
    number = to_decimal(value)
    if number is None:
        return "" if value in (None, "") else value
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 2
    return format_decimal(number, places)


@register.filter
def ru_number(value, max_places=6):
    """A quantity without noise: 4.850000 → "4,85", 2.000 → "2", at most `max_places` decimals (half-up)."""
    number = to_decimal(value)
    if number is None:
        return "" if value in (None, "") else value
    try:
        max_places = int(max_places)
    except (TypeError, ValueError):
        max_places = 6
    return format_decimal(number, max_places, min_places=0)


@register.filter
def money(value):
    """Decimal("-1234.565") → "-1 234,57 ₽": always kopecks, rounded half-up."""
    number = to_decimal(value)
    if number is None:
        return "" if value in (None, "") else value
    return f"{format_decimal(number, 2)}{NBSP}{RUBLE}"


@register.filter
def rate(value):
    """A tariff: kopecks at least, up to 4 places as tariffs are set (45.2700 → "45,27 ₽", 9.0440 → "9,044 ₽")."""
    number = to_decimal(value)
    if number is None:
        return "" if value in (None, "") else value
    return f"{format_decimal(number, 4, min_places=2)}{NBSP}{RUBLE}"


@register.filter
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


@register.filter
def ru_datetime(value):
    """An aware datetime → "31.08.2018 14:05" in the current time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d.%m.%Y %H:%M")
    return ru_date(value)


@register.filter
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


@register.filter
def phone_href(value):
    """ "+7 (8422) 44-55-66" → "tel:+78422445566" for a link a phone can dial; digits and a leading "+" only."""
    text = str(value or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"
