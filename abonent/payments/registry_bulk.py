"""Set-based database access for a registry import: which of many values already exist (one query), and many rows
written at once (COPY on PostgreSQL). A 100 000-line registry is imported in a handful of queries."""

from django.db import connection

from abonent.billing import bulk

CHUNK = 5000
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


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


def write(model, columns: tuple[str, ...], rows: list[tuple], free_text: tuple[int, ...]) -> None:
    """COPY with the rows formatted here as one text block (psycopg formats value by value in Python, which was a
    third of the import's time); elsewhere billing's insert_rows. `free_text`: the positions of values that came
    from the file and may hold COPY's special characters; every other value is a number, date, None or our own
    text."""
    if connection.vendor != "postgresql" or not rows:
        bulk.insert_rows(model, columns, rows)
        return
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)

    def text(row):
        row = list(row)
        for i in free_text:
            row[i] = row[i].translate(COPY_ESCAPES)
        return "\t".join(COPY_NULL if value is None else str(value) for value in row) + "\n"

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for start in range(0, len(rows), CHUNK):
            copy.write("".join(map(text, rows[start : start + CHUNK])))
