"""Model instances from the rows of a plain cursor, for the few queries that run on every request.

`Model.objects.raw()` maps columns to fields anew for every query (by name, through the cursor's description);
on the confirmed readings form that cost more CPU than the query itself. Here the columns are fixed once per
model, and each value goes through the database backend's converters, as the ORM's own queries do (SQLite gives
decimals as floats, PostgreSQL as Decimal)."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Model


class ModelColumns:
    """The concrete columns of `model`, in order, for `SELECT {columns}` and `instance(row)`."""

    def __init__(self, model: type[Model], table_alias: str | None = None):
        self.model = model
        self.fields = model._meta.concrete_fields
        alias = table_alias or model._meta.db_table
        self.sql = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in self.fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self.pk_index = self.attnames.index(model._meta.pk.attname)

    def instance(self, row, start: int = 0) -> Model:
        """The model instance of row[start : start + width]; the rest of the row is the caller's."""
        values = converted(self.fields, row[start : start + self.width])
        return self.model.from_db(connection.alias, self.attnames, values)


def converted(fields, values) -> list:
    """`values` as the ORM would give them for `fields` (one value a field, in order)."""
    result = list(values)
    for index, converters in _converters(connection.alias, tuple(fields)):
        value = result[index]
        for convert in converters:
            value = convert(value, fields[index].cached_col, connection)
        result[index] = value
    return result


@functools.cache
def _converters(alias: str, fields: tuple) -> list[tuple[int, list]]:
    """[(index, the backend's and the field's converters)] for the fields that have any; `alias` keys the cache
    by database, whose backend decides."""
    found = []
    for index, field in enumerate(fields):
        col = field.cached_col
        converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if converters:
            found.append((index, converters))
    return found
