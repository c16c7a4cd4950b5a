"""The one rounding rule and the float policy, for every place that formats or rounds an amount (lib.numbers)."""

from decimal import Decimal as D

import pytest
from django.template import Context, Template

from abonent.lib.numbers import format_decimal, money, round_money, ru_decimal, typed, volume

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.125"), D("0.13")),  # half-up; Decimal's default (half-even) would give 0.12
        (D("0.135"), D("0.14")),
        (D("-0.125"), D("-0.13")),  # half away from zero: a refund rounds like a debt
        (D("2.344999"), D("2.34")),
        (7, D("7.00")),
    ],
)
def test_round_money_is_half_up_to_kopecks(value, expected):
    assert round_money(value) == expected


def test_money_rounds_half_up_where_python_rounds_half_even():
    assert f"{D('0.125'):.2f}" == "0.12"  # what the old copies (f-strings on Decimal) showed
    assert money(D("0.125")) == f"0,13{NB}₽"
    assert typed(D("0.125")) == "0,13"
    assert format_decimal(D("2.0005"), 3) == "2,001"  # a reading in a message; half-even gave 2,000


def test_typed_is_what_a_payer_types():
    assert typed(D("1234.5")) == "1234,50"
    assert typed(D("-1234567.891")) == "-1234567,89"


def test_volume_has_three_decimals():
    assert volume(D("12.3456")) == "12,346"
    assert volume(D("1234")) == f"1{NB}234,000"


@pytest.mark.parametrize("call", [round_money, lambda v: format_decimal(v, 2), typed])
def test_python_callers_may_not_pass_a_float(call):
    with pytest.raises(TypeError, match="float"):
        call(0.125)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.125, f"0,13{NB}₽"),
        (1.005, f"1,01{NB}₽"),  # its binary value is 1.00499…: converted through its text, not rounded down
        (2.675, f"2,68{NB}₽"),
        (695623.159999999, f"695{NB}623,16{NB}₽"),  # a float sum from the database, shown as an amount
    ],
)
def test_a_float_in_a_template_is_converted_through_its_text(value, expected):
    assert money(value) == expected
    assert Template("{% load ru_format %}{{ v|money }}").render(Context({"v": value})) == expected


def test_ru_decimal_of_a_float_keeps_its_text_value():
    assert ru_decimal(0.1 + 0.2) == "0,30"
    assert ru_decimal(1.0005, 3) == "1,001"
