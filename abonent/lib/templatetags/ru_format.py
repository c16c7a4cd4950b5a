"""The Russian formatting filters of every template: `{% load ru_format %}`, then `|money`, `|ru_decimal:3`,
`|ru_number`, `|rate`, `|ru_date`, `|ru_datetime`, `|month_name`, `|phone_href`.

Filters, not the locale machinery, because receipts, PDFs and e-mails need the same text whatever the request's
language, and because money must be rounded half-up from Decimal (never through float). The rules are in
lib.numbers and lib.dates, which Python code (PDFs, messages, the admin) calls directly.
"""

from django import template

from abonent.lib import dates, numbers

register = template.Library()

for _name, _filter in {
    "ru_decimal": numbers.ru_decimal,
    "ru_number": numbers.ru_number,
    "money": numbers.money,
    "rate": numbers.rate,
    "ru_date": dates.ru_date,
    "ru_datetime": dates.ru_datetime,
    "month_name": dates.month_name,
}.items():
    register.filter(_name, _filter)


@register.filter
def phone_href(value):
    """ "+7 (8422) 44-55-66" → "tel:+78422445566" for a link a phone can dial; digits and a leading "+" only."""
    text = str(value or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"
