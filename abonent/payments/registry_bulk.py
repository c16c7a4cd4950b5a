"""Set-based lookups for a registry import: which of many values already exist, in one query; the rows are
written by lib.bulk (COPY on PostgreSQL). A 100 000-line registry is imported in a handful of queries."""

from django.db import connection

CHUNK = 5000


def chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def existing(model, column: str, values: list, *, also: str | None = None, **equal) -> set:
    """Which of `values` are in model.column (with `also` as a second column: pairs). One `= ANY(array)` query
    on PostgreSQL (a 100 000-value IN list costs more to build than to run); chunks of IN elsewhere."""
    if not values:
        return set()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        wanted = ", ".join(connection.ops.quote_name(c) for c in (column, also) if c)
        where = "".join(f" AND {connection.ops.quote_name(k)} = %s" for k in equal)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {wanted} FROM {table} WHERE {connection.ops.quote_name(column)} = ANY(%s){where}",
                [values, *equal.values()],
            )
            rows = cursor.fetchall()
        return {tuple(r) if also else r[0] for r in rows}
    found = set()
    for chunk in chunks(values):
        qs = model.objects.filter(**{f"{column}__in": chunk}, **equal)
        found.update(qs.values_list(column, also) if also else qs.values_list(column, flat=True))
    return found
