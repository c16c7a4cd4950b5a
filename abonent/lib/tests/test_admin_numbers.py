"""The back office's Decimal columns and inputs by kind: what Django would show from the stored places is in the
comments."""

from decimal import Decimal as D

import pytest
from django.contrib.admin.utils import display_for_field

from abonent.billing.models import AccountBalance, Norm, PenaltyRate, Tariff
from abonent.housing.models import Premises
from abonent.lib.admin_numbers import DecimalInput
from abonent.metering.models import Reading


def field(model, name):
    return model._meta.get_field(name)


@pytest.mark.parametrize(
    ("model", "name", "value", "text"),
    [
        (Reading, "value", D("59.200000"), "59,200"),  # 59,200000
        (Norm, "value", D("4.850000"), "4,85"),  # 4,850000
        (Norm, "value", D("0.018100"), "0,0181"),
        (Tariff, "price", D("36.8000"), "36,80"),  # 36,8000
        (Tariff, "price", D("9.0440"), "9,044"),
        (PenaltyRate, "rate", D("9.500"), "9,5"),  # 9,500
        (AccountBalance, "closing", D("695623.16"), "695\u00a0623,16"),  # 695623,16
        (AccountBalance, "closing", D("-1636.50"), "-1\u00a0636,50"),
        (Premises, "total_area", D("54.30"), "54,30"),
    ],
)
def test_a_decimal_column_by_kind(model, name, value, text):
    assert display_for_field(value, field(model, name), "—") == text


def test_an_empty_decimal_stays_empty():
    assert display_for_field(None, field(Reading, "value"), "—") == "—"


@pytest.mark.parametrize(
    ("places", "value", "text"),
    [(6, D("59.200000"), "59,2"), (6, D("0E-6"), "0"), (4, D("45.2700"), "45,27"), (2, D("1234.50"), "1234,50")],
)
def test_an_input_shows_the_value_as_typed(places, value, text):
    assert DecimalInput(places).format_value(value) == text
    assert DecimalInput(places).format_value("12,3456789") == "12,3456789"  # what was typed is shown back
