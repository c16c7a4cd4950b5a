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


# A date as people here write it, and a month: "31.08.2018", "08.2018". A browser's own date field shows the
# browser's language ("mm/dd/yyyy" in an English one), so every date field of the site is this text (with the
# picker of portal/datepicker.js) and is read here, whatever the browser.
RU_DATE_FORMAT = "%d.%m.%Y"
RU_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\Z", re.ASCII)
RU_MONTH = re.compile(r"([0-9]{1,2})\.([0-9]{4})\Z", re.ASCII)
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z", re.ASCII)
ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})\Z", re.ASCII)


def parse_ru_date(text) -> dt.date | None:
    """dd.mm.yyyy (or yyyy-mm-dd, as links and forms made before sent it) → a date; None if it is not a real
    date. Only ASCII digits: strptime would read full-width ones."""
    text = str(text or "").strip()
    if match := RU_DATE.match(text):
        day, month, year = match.groups()
    elif match := ISO_DATE.match(text):
        year, month, day = match.groups()
    else:
        return None
    return _date(year, month, day)


def parse_ru_month(text) -> dt.date | None:
    """mm.yyyy (or yyyy-mm) → the month's first day; None if it is not a month."""
    text = str(text or "").strip()
    if match := RU_MONTH.match(text):
        month, year = match.groups()
    elif match := ISO_MONTH.match(text):
        year, month = match.groups()
    else:
        return None
    return _date(year, month, "1")


def _date(year, month, day) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


class RuDateInput(forms.TextInput):
    """The site's one date field: text in dd.mm.yyyy, typed or picked from the calendar of portal/datepicker.js."""

    def __init__(self, attrs=None, *, kind="date"):
        month = kind == "month"
        base = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "placeholder": "ММ.ГГГГ" if month else "ДД.ММ.ГГГГ",
            "pattern": r"[0-9]{1,2}\.[0-9]{4}" if month else r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}",
            "maxlength": "7" if month else "10",
            "data-datepicker": kind,
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return value.strftime(RU_DATE_FORMAT)
        return super().format_value(value)


class RuDateField(forms.DateField):
    """A date typed as dd.mm.yyyy (the picker writes the same); a Russian error for anything else."""

    widget = RuDateInput
    default_error_messages = {"invalid": _("Введите дату в виде ДД.ММ.ГГГГ, например 01.06.2026.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        refuse_non_ascii_digits(str(value))
        day = parse_ru_date(value)
        if day is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day


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


class SafeJSONField(forms.JSONField):
    """Django's JSON form field, also refusing what the json module raises ValueError for besides a syntax error
    (an integer of thousands of digits: Python's conversion limit), with a Russian message instead of a 500."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise
        except ValueError:
            raise ValidationError(_("Неверный JSON: слишком длинное число."), code="invalid") from None

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:  # the form shown again with what was typed, as Django does for invalid JSON
            return forms.fields.InvalidJSONInput(data)
