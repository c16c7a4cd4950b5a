"""Russian numbers: "1 234,56 ₽" for money, "12,345" for volumes, "36,80 ₽" for a tariff. One rounding rule.

The rule: half-up (half away from zero: 0,125 → 0,13, -2,675 → -2,68), the arithmetic rounding a person checking a
receipt by hand uses, applied to the Decimal itself. Python's own `f"{value:.2f}"` rounds a Decimal half-even
(0,125 → 0,12) and a float by its binary value (2.675 → 2,67): neither may format an amount anywhere.

Floats: the Python functions (`round_money`, `format_decimal`, `typed`) refuse them (TypeError), since an amount that
became a float somewhere is a defect to fix where it happened. The template filters, which must not break a page,
convert a float explicitly through its shortest text (0.125 → "0.125" → 0,13; 1.005 → "1.005" → 1,01), never through
its binary value, and otherwise return "" for None or "" and the value unchanged for what they cannot read, as
Django's own filters do.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"  # between thousands and before "₽": never broken across lines
MINUS = "-"  # a plain hyphen-minus: copied into a bank app or a spreadsheet, it still reads as a number
RUBLE = "₽"
KOPECK = Decimal("0.01")
MONEY_PLACES = 2
VOLUME_PLACES = 3
RATE_PLACES = 4  # tariffs are set to 4 places (9,044 ₽/кВт·ч)


def _exact(number, what: str) -> Decimal:
    if isinstance(number, float):
        raise TypeError(f"{what}: float {number!r} — суммы и объёмы считаются в Decimal, не в float")
    return number if isinstance(number, Decimal) else Decimal(number)


def round_money(value: Decimal) -> Decimal:
    """To kopecks, half-up: the rounding of every amount the project computes or shows."""
    return _exact(value, "round_money").quantize(KOPECK, rounding=ROUND_HALF_UP)


def to_decimal(value) -> Decimal | None:
    """Decimal from a Decimal, int, str ("1 234,45" too) or float (through its shortest text); None if unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        value = str(value)  # a float's shortest text is the number it was meant to be: 0.1 → "0.1"
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


def format_decimal(number: Decimal, places: int, min_places: int | None = None, *, grouped: bool = True) -> str:
    """Round half-up to `places`, drop trailing zeros down to `min_places` (default: keep all), group by 3."""
    places = max(0, int(places))
    rounded = _exact(number, "format_decimal").quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,00" for a value that rounds to nothing
    text = f"{abs(rounded):,.{places}f}"  # exact: `rounded` already has `places` digits, nothing left to round
    whole, _, fraction = text.partition(".")
    if min_places is not None:
        keep = max(0, int(min_places))
        while len(fraction) > keep and fraction.endswith("0"):
            fraction = fraction[:-1]
    whole = whole.replace(",", NBSP if grouped else "")
    sign = MINUS if rounded < 0 else ""
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


def typed(amount: Decimal) -> str:
    """1234.5 → "1234,50": an amount as a payer types it into a form (no grouping, no "₽")."""
    return format_decimal(amount, MONEY_PLACES, grouped=False)


# --- the template filters (templatetags/ru_format.py), also called by PDFs, e-mails and the admin ---


def _readable(value, render):
    number = to_decimal(value)
    if number is None:
        return "" if value in (None, "") else value
    return render(number)


def _places(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def ru_decimal(value, places=MONEY_PLACES):
    """12345.678 → "12 345,68"; `|ru_decimal:3` for volumes in м³."""
    return _readable(value, lambda n: format_decimal(n, _places(places, MONEY_PLACES)))


def volume(value):
    """12.3456 → "12,346": a volume, three decimals."""
    return ru_decimal(value, VOLUME_PLACES)


def ru_number(value, max_places=6):
    """A quantity without noise: 4.850000 → "4,85", 2.000 → "2", at most `max_places` decimals (half-up)."""
    return _readable(value, lambda n: format_decimal(n, _places(max_places, 6), min_places=0))


def money(value):
    """Decimal("-1234.565") → "-1 234,57 ₽": always kopecks, rounded half-up."""
    return _readable(value, lambda n: f"{format_decimal(n, MONEY_PLACES)}{NBSP}{RUBLE}")


def rate(value):
    """A tariff: kopecks at least, up to 4 places as tariffs are set (45.2700 → "45,27 ₽", 9.0440 → "9,044 ₽")."""
    return _readable(value, lambda n: f"{format_decimal(n, RATE_PLACES, min_places=MONEY_PLACES)}{NBSP}{RUBLE}")
