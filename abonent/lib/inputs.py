"""What a typed or sent value must be before anything uses it: one place for ids, digits, text and dates.

Python is generous where the database and people are not: int("５８") and Decimal("１２３") read full-width digits
(so «５８» would be saved as 58), int() has no upper bound while the database's bigint ends at 2**63-1 (a 20-digit id
in a raw query is an OverflowError, i.e. a 500), and Django decodes a form body that is not UTF-8 with
errors="replace", so stray bytes arrive as U+FFFD and would be stored as such. Forms, services, views and admin
filters call these helpers rather than int()/Decimal()/str.isdigit() on what a client sent.
"""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The largest id of a bigint (BigAutoField) column on PostgreSQL and SQLite alike.
MAX_ID = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]+\Z", re.ASCII)
REPLACEMENT = "\ufffd"

# Dates a person may type: nothing in this portal is before 2000, and nothing is planned years ahead.
EARLIEST_DATE = dt.date(2000, 1, 1)


def is_ascii_digits(text) -> bool:
    """True for a non-empty string of 0-9 only (str.isdigit() also says True for «５８» and «²»)."""
    return isinstance(text, str) and ASCII_DIGITS.match(text) is not None


def parse_id(value) -> int | None:
    """The id a client sent, or None if it cannot be one: not ASCII digits, zero, or beyond the column's range.

    None is "no such object" for the caller (a 404, an empty filter, a form error), never an exception."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    text = str(value if value is not None else "").strip()
    if not is_ascii_digits(text) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


# Roubles and kopecks as people write them: "1234", "1234,5", "1234.56" (spaces are taken out first). At most 12
# digits of roubles: money columns are DECIMAL(14, 2). No exponent ("1e5"), no NaN, no sign.
MONEY = re.compile(r"([0-9]{1,12})(?:[.,]([0-9]{1,2}))?\Z", re.ASCII)


def parse_money(text) -> Decimal | None:
    """A non-negative amount with kopecks, or None if it is not one (full-width digits included)."""
    cleaned = str(text or "").replace("\u00a0", "").replace(" ", "").strip()
    match = MONEY.match(cleaned)
    if match is None:
        return None
    return Decimal(f"{match.group(1)}.{match.group(2) or '0'}").quantize(Decimal("0.01"))


def has_non_ascii_digits(text: str) -> bool:
    return any(char.isdigit() and not ("0" <= char <= "9") for char in text or "")


def refuse_non_ascii_digits(text: str, *, field: str | None = None) -> None:
    """ValidationError in Russian if a number was typed with digits other than 0-9 (e.g. full-width «５８»)."""
    if has_non_ascii_digits(text):
        message = _("Введите число цифрами 0–9 (в тексте есть другие символы-цифры, например полноширинные).")
        raise ValidationError({field: message} if field else message, code="non_ascii_digits")


def refuse_undecodable(text: str, *, field: str | None = None) -> None:
    """ValidationError if the text carries U+FFFD: the bytes sent were not UTF-8 (Django replaced them).

    Refused rather than stored: the replacement character is what is left of text we could not read, so saving
    it would keep a garbled message (an address, a name, a reading comment) nobody can read back either."""
    if REPLACEMENT in (text or ""):
        message = _("Текст содержит нечитаемые символы (не в кодировке UTF-8). Введите его заново.")
        raise ValidationError({field: message} if field else message, code="undecodable")


def check_length(text: str, max_length: int, *, field: str | None = None) -> None:
    """The column's limit, said in Russian, for services that are called without a form."""
    if len(text or "") > max_length:
        message = _("Не длиннее %(n)s знаков (введено %(got)s).") % {"n": max_length, "got": len(text)}
        raise ValidationError({field: message} if field else message, code="max_length")


def clean_text(text, max_length: int, *, field: str | None = None) -> str:
    """Stripped text within the column and readable (no U+FFFD); the checks a form's CharField would make."""
    text = (text or "").strip()
    check_length(text, max_length, field=field)
    refuse_undecodable(text, field=field)
    return text


def check_column(model, name: str, value, *, key: str | None = None):
    """`value` as the model's column `name` takes it, or ValidationError {key: Django's Russian messages}.

    The field's own checks (max_length, e-mail shape, the username's characters): what a ModelForm would say, for
    services that are an entry point of their own (a command, another service, a test) and get no form."""
    try:
        return model._meta.get_field(name).clean(value, None)
    except ValidationError as exc:
        raise ValidationError({key or name: exc.messages}) from exc


def latest_future_date(today: dt.date, *, years: int = 2) -> dt.date:
    """The last date a planned date (a visit, a desired date) may be: `years` ahead of today."""
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def check_date_bounds(value: dt.date, *, earliest: dt.date, latest: dt.date, field: str | None = None) -> None:
    if not (earliest <= value <= latest):
        message = _("Дата должна быть с %(a)s по %(b)s.") % {
            "a": earliest.strftime("%d.%m.%Y"),
            "b": latest.strftime("%d.%m.%Y"),
        }
        raise ValidationError({field: message} if field else message, code="date_bounds")


class AsciiDigitsMixin:
    """Django's IntegerField and DecimalField read «４５» as 45 (int() and Decimal() do): refuse it first."""

    def to_python(self, value):
        if isinstance(value, str):
            refuse_non_ascii_digits(value)
        return super().to_python(value)


class AsciiIntegerField(AsciiDigitsMixin, forms.IntegerField):
    pass


class AsciiDecimalField(AsciiDigitsMixin, forms.DecimalField):
    pass
