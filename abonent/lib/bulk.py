"""Writing many rows at once: COPY or bulk_create, and INSERT … SELECT with its foreign keys checked set-based.

The close, the ledger, the registry import and the readings import write tens of thousands of rows per statement;
these are the two ways they do it.
"""

from __future__ import annotations

from django.db import IntegrityError, connection

BATCH = 5000
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


def insert_rows(
    model, columns: tuple[str, ...], rows: list, *, free_text: tuple[int, ...] | None = None, batch_size: int = BATCH
) -> None:
    """Write many rows: COPY on PostgreSQL (several times faster than INSERT through the ORM, which spends most
    of a city's close preparing values), bulk_create in batches of `batch_size` elsewhere.

    `columns`: field names (or attnames, "meter_id"). `free_text`: format the rows here as COPY's text, the
    positions given being values that may hold COPY's special characters (text from a file); every other value must
    be a number, a date, None or our own text. psycopg formats value by value in Python, which was a third of the registry
    import's time; without `free_text` it does (any value is safe)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=batch_size
        )
        return
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if free_text is None:
            for row in rows:
                copy.write_row(row)
            return
        for start in range(0, len(rows), BATCH):
            copy.write("".join(_copy_text(row, free_text) for row in rows[start : start + BATCH]))


def copy_text_rows(table: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """COPY rows of text cells (a file's, any character in them) into `table` (PostgreSQL). A batch whose cells hold
    none of COPY's special characters — nearly every file — is joined as it is, without escaping each cell (a month
    of a city is ten million cells); a batch with one is escaped cell by cell."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    width = len(columns)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for start in range(0, len(rows), BATCH * 4):
            batch = rows[start : start + BATCH * 4]
            text = "\n".join("\t".join(row) for row in batch) + "\n"
            plain = "\\" not in text and "\r" not in text
            if not (plain and text.count("\t") == len(batch) * (width - 1) and text.count("\n") == len(batch)):
                text = "".join(_copy_text(row, tuple(range(width))) for row in batch)
            copy.write(text)


def _copy_text(row, free_text: tuple[int, ...]) -> str:
    values = [COPY_NULL if value is None else str(value) for value in row]
    for i in free_text:
        if row[i] is not None:
            values[i] = values[i].translate(COPY_ESCAPES)
    return "\t".join(values) + "\n"


# --- foreign keys, checked once per statement ---


def insert_checked(cursor, statement: str, params: dict, references: dict[str, str], *, after=False) -> int:
    """Run an INSERT … SELECT with its foreign keys checked set-based rather than row by row.

    PostgreSQL checks a foreign key with a trigger per inserted row (a query and a row lock each): for the charges
    of a city, several times the cost of the insert itself. Here every row that the new rows reference is locked
    FOR KEY SHARE by one query per table — the same lock each row trigger would take, so nobody can delete it
    before we commit — and counted: fewer rows locked than ids referenced means a missing row, and the step fails
    as the trigger would have made it fail. Only then the insert runs with the row triggers off
    (session_replication_role = replica, for this statement only). The constraints stay; every other writer is
    checked by them as before. Without the right to set that parameter (not a superuser, PostgreSQL 15's
    GRANT SET ON PARAMETER not given), the insert simply runs with its triggers.

    `references`: referenced table → a query of the referencing ids (NULLs are no reference). `after`: the ids
    only exist once the insert ran (they are read from its result), so lock and count after it, in the same
    transaction (a failure rolls the insert back).
    """
    if not _may_skip_row_triggers(cursor):
        cursor.execute(statement, params)
        return cursor.rowcount
    if not after:
        _lock_references(cursor, params, references)
    cursor.execute("SELECT current_setting('session_replication_role')")
    role = cursor.fetchone()[0]
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(statement, params)
    count = cursor.rowcount
    cursor.execute("SELECT set_config('session_replication_role', %s, true)", [role])
    if after:
        _lock_references(cursor, params, references)
    return count


def _lock_references(cursor, params: dict, references: dict[str, str]) -> None:
    for table, ids in references.items():
        cursor.execute(
            f"""WITH referenced AS MATERIALIZED (SELECT DISTINCT id FROM ({ids}) ids (id) WHERE id IS NOT NULL)
            SELECT (SELECT count(*) FROM referenced),
                   (SELECT count(*) FROM (SELECT id FROM {table} WHERE id IN (SELECT id FROM referenced)
                                          FOR KEY SHARE) locked)""",
            params,
        )
        referenced, locked = cursor.fetchone()
        if locked != referenced:
            raise IntegrityError(f"{referenced - locked} строк(и) {table}, на которые ссылаются записи, нет в базе.")


def _may_skip_row_triggers(cursor) -> bool:
    if connection.pg_version < 150000:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    else:
        cursor.execute(
            "SELECT current_setting('is_superuser') = 'on' "
            "OR has_parameter_privilege('session_replication_role', 'SET')"
        )
    return cursor.fetchone()[0]
