"""The Russian formatting filters: what a subscriber reads on every page, receipt and e-mail."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from abonent.lib.dates import month_name, ru_date, ru_datetime
from abonent.lib.numbers import money, rate, ru_decimal, ru_number
from abonent.lib.templatetags.ru_format import phone_href

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), f"1{NB}234,56{NB}₽"),
        (Decimal("0"), f"0,00{NB}₽"),
        (Decimal("5"), f"5,00{NB}₽"),
        (Decimal("5589.37"), f"5{NB}589,37{NB}₽"),
        (Decimal("1234567.8"), f"1{NB}234{NB}567,80{NB}₽"),
        (Decimal("999.995"), f"1{NB}000,00{NB}₽"),
        (Decimal("-1234.56"), f"-1{NB}234,56{NB}₽"),
        (Decimal("-0.004"), f"0,00{NB}₽"),  # never "-0,00"
        (Decimal("2.675"), f"2,68{NB}₽"),  # half-up from Decimal; float 2.675 would give 2,67
        (Decimal("2.665"), f"2,67{NB}₽"),  # half-up, not banker's rounding (which gives 2,66)
        (Decimal("-2.675"), f"-2,68{NB}₽"),  # half away from zero for debts and refunds alike
        (Decimal("0.005"), f"0,01{NB}₽"),
        (100, f"100,00{NB}₽"),
        ("123,45", f"123,45{NB}₽"),
        ("1 234.5", f"1{NB}234,50{NB}₽"),
    ],
)
def test_money(value, expected):
    assert money(value) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_money_empty_is_empty(value):
    assert money(value) == ""


def test_money_leaves_what_it_cannot_read():
    assert money("нет данных") == "нет данных"
    assert money(Decimal("NaN")).is_nan()
    assert money(Decimal("Infinity")) == Decimal("Infinity")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("12345.678"), 2, f"12{NB}345,68"),
        (Decimal("12345.678"), 3, f"12{NB}345,678"),
        (Decimal("11.9449"), 3, "11,945"),
        (Decimal("1434.5"), 0, f"1{NB}435"),
        (Decimal("1434.4"), 0, f"1{NB}434"),
        (Decimal("-0.5"), 0, "-1"),
        (Decimal("7"), "3", "7,000"),
        (Decimal("7"), "плохо", "7,00"),
    ],
)
def test_ru_decimal(value, places, expected):
    assert ru_decimal(value, places) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4.850000"), "4,85"),
        (Decimal("2.000000"), "2"),
        (Decimal("0.016500"), "0,0165"),
        (Decimal("1234.5"), f"1{NB}234,5"),
    ],
)
def test_ru_number_drops_trailing_zeros(value, expected):
    assert ru_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("45.2700"), f"45,27{NB}₽"),
        (Decimal("9.0440"), f"9,044{NB}₽"),
        (Decimal("0.5003"), f"0,5003{NB}₽"),
        (Decimal("50.5"), f"50,50{NB}₽"),
        (Decimal("2201.6100"), f"2{NB}201,61{NB}₽"),
    ],
)
def test_rate_keeps_kopecks_and_tariff_fractions(value, expected):
    assert rate(value) == expected


def test_ru_date():
    assert ru_date(dt.date(2018, 8, 31)) == "31.08.2018"
    assert ru_date(dt.date(2026, 7, 1)) == "01.07.2026"
    assert ru_date(None) == ""
    assert ru_date("") == ""


def test_ru_date_of_an_aware_datetime_is_in_the_current_time_zone(settings):
    # 22:30 UTC on 31 August is already 1 September in Moscow (the project's TIME_ZONE)
    moment = dt.datetime(2018, 8, 31, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert ru_date(moment) == "01.09.2018"
    assert ru_datetime(moment) == "01.09.2018 01:30"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2014, 10, 1), "октябрь 2014"),
        (dt.date(2026, 1, 31), "январь 2026"),
        ("2026-12", "декабрь 2026"),
        ("не месяц", "не месяц"),
        (None, ""),
    ],
)
def test_month_name(value, expected):
    assert month_name(value) == expected


def test_phone_href():
    assert phone_href("+7 (8422) 44-55-66") == "tel:+78422445566"
    assert phone_href("8-800-250 52 80") == "tel:88002505280"
    assert phone_href("") == ""


def test_filters_in_a_template():
    html = Template(
        "{% load ru_format %}{{ amount|money }}|{{ volume|ru_decimal:3 }}|{{ day|ru_date }}|{{ month|month_name }}"
    ).render(
        Context(
            {
                "amount": Decimal("-1234.565"),
                "volume": Decimal("13.5804"),
                "day": dt.date(2018, 8, 31),
                "month": dt.date(2014, 10, 1),
            }
        )
    )
    assert html == f"-1{NB}234,57{NB}₽|13,580|31.08.2018|октябрь 2014"
