"""Dates and months as people here type them: dd.mm.yyyy and mm.yyyy, read the same whatever the browser."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError

from abonent.lib.inputs import RuDateField, RuDateInput, parse_ru_date, parse_ru_month


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01.12.2026", dt.date(2026, 12, 1)),
        (" 1.2.2026 ", dt.date(2026, 2, 1)),
        ("29.02.2028", dt.date(2028, 2, 29)),
        ("2026-12-01", dt.date(2026, 12, 1)),  # a link or a form made before the field changed
        ("31.02.2026", None),
        ("29.02.2027", None),
        ("12/01/2026", None),  # what an English browser's date field shows
        ("１.12.2026", None),  # full-width digits: strptime reads them, we do not
        ("01.12.26", None),
        ("", None),
        (None, None),
        ("01.12.2026x", None),
    ],
)
def test_parse_ru_date(text, day):
    assert parse_ru_date(text) == day


@pytest.mark.parametrize(
    ("text", "month"),
    [("08.2018", dt.date(2018, 8, 1)), ("8.2018", dt.date(2018, 8, 1)), ("2018-08", dt.date(2018, 8, 1))]
    + [("13.2018", None), ("08/2018", None), ("", None), ("０８.2018", None), ("2018-8-1", None)],
)
def test_parse_ru_month(text, month):
    assert parse_ru_month(text) == month


class Form(forms.Form):
    day = RuDateField(label="Дата")


def test_the_field_reads_dd_mm_yyyy_and_says_what_is_wrong_in_russian():
    assert Form({"day": "05.01.2026"}).is_valid()
    form = Form({"day": "31.02.2026"})
    assert not form.is_valid() and form.errors["day"] == ["Введите дату в виде ДД.ММ.ГГГГ, например 01.06.2026."]
    form = Form({"day": "０５.01.2026"})
    assert not form.is_valid() and "цифрами 0–9" in form.errors["day"][0]
    with pytest.raises(ValidationError):
        RuDateField().clean("")


def test_the_widget_is_text_in_russian_order_never_the_browsers_date_field():
    html = Form(initial={"day": dt.date(2026, 1, 5)}).as_p()
    assert 'type="text"' in html and 'value="05.01.2026"' in html and 'data-datepicker="date"' in html
    assert 'placeholder="ДД.ММ.ГГГГ"' in html and 'type="date"' not in html
    month = RuDateInput(kind="month").render("m", "08.2018")
    assert 'data-datepicker="month"' in month and 'placeholder="ММ.ГГГГ"' in month
