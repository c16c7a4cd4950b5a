"""The back office shows a Decimal column by what it holds, with lib.numbers: money and areas "1 234,56", tariffs as
set "36,80"/"9,044", volumes and readings "59,200", норматив and rates without noise "4,85". Django itself shows a
DecimalField with all its stored places ("59,200000", "36,8000"), in the change list and in read-only fields alike,
through one function, `display_for_field`, that no ModelAdmin hook replaces: `install()` wraps it for Decimal
fields only, so every admin (the project's and Django's own) gets the same text. Inputs keep what a person types:
`DecimalInput` shows the value without the stored zeros and without grouping, which the form reads back as typed.
"""

from decimal import Decimal

from django import forms
from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.db import models

from .numbers import MONEY_PLACES, RATE_PLACES, VOLUME_PLACES, format_decimal

# Fields stored with six places that hold a value as it was set (a норматив), not a measured volume.
AS_SET = {"value"}


def decimal_text(field: models.DecimalField, value: Decimal) -> str:
    """The Russian text of a stored Decimal, by the kind its field's places tell."""
    places = field.decimal_places
    if places <= MONEY_PLACES:  # money, areas, factors
        return format_decimal(value, MONEY_PLACES)
    if places <= RATE_PLACES and field.name != "rate":  # tariffs, as set with kopecks at least
        return format_decimal(value, RATE_PLACES, min_places=MONEY_PLACES)
    if places <= RATE_PLACES or (field.name in AS_SET and field.model.__name__ == "Norm"):
        return format_decimal(value, places, min_places=0)  # a rate (9,5 %) or a норматив (4,85)
    return format_decimal(value, VOLUME_PLACES)  # volumes and readings


class DecimalInput(forms.TextInput):
    """A Decimal as a person types it: "59,2", "1234,50", never "59,200000" or a grouped "1 234,50"."""

    def __init__(self, places: int, attrs=None):
        super().__init__(attrs)
        self.places = places

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            keep = min(self.places, MONEY_PLACES) if self.places <= RATE_PLACES else 0
            return format_decimal(value, self.places, min_places=keep, grouped=False)
        return super().format_value(value)


def install() -> None:
    """Wrap `display_for_field` where the change list and the read-only fields call it (once, at start-up)."""
    original = utils.display_for_field
    if getattr(original, "ru_numbers", False):
        return

    def display_for_field(value, field, empty_value_display, *args, **kwargs):
        if isinstance(field, models.DecimalField) and isinstance(value, Decimal) and value.is_finite():
            return decimal_text(field, value)
        return original(value, field, empty_value_display, *args, **kwargs)

    display_for_field.ru_numbers = True
    for module in (utils, helpers, admin_list):
        module.display_for_field = display_for_field
