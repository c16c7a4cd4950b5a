"""metering.rows: model instances from a plain cursor equal the ORM's, field for field, on either database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from abonent.metering.models import Meter, Reading
from abonent.metering.rows import ModelColumns, converted
from abonent.testing.factories import MeterFactory

from .conftest import add_reading

pytestmark = pytest.mark.django_db


def test_a_meter_from_a_plain_cursor_equals_the_orms():
    made = MeterFactory(initial_value=Decimal("12.345"), digits_after=3, sealed_on=None)
    columns = ModelColumns(Meter)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql}, 7 FROM metering_meter WHERE id = %s", [made.pk])
        row = cursor.fetchone()
    built, orm = columns.instance(row), Meter.objects.get(pk=made.pk)
    assert row[columns.width] == 7  # what follows the model's columns is left to the caller
    assert built.pk == orm.pk and row[columns.pk_index] == made.pk
    for field in Meter._meta.concrete_fields:
        mine, theirs = getattr(built, field.attname), getattr(orm, field.attname)
        assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    assert built.initial_value == Decimal("12.345") and isinstance(built.installed_on, dt.date)
    assert built._state.adding is False and built._state.db == connection.alias


def test_plain_values_converted_as_the_orm_converts_them(meter):
    add_reading(meter, dt.date(2026, 10, 1), "104.5")
    fields = [Reading._meta.get_field("period"), Reading._meta.get_field("value")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT period, value FROM metering_reading WHERE meter_id = %s", [meter.pk])
        period, value = converted(fields, cursor.fetchone())
    assert period == dt.date(2026, 10, 1) and isinstance(period, dt.date)
    assert value == Decimal("104.5") and isinstance(value, Decimal)
