"""The month file checked and converted in SQL (PostgreSQL): the read cells COPYed as text into a staging table,
the figures cast to numbers after a check of their characters, and every rule of month_lines — the account and the service
are the organisation's, each figure a number with at most kopecks (volume and tariff not negative), no account with
a service twice, «к оплате» adds up — checked set-based. A file that passes gives the table of checked lines the
month is written from (billing.external_sql); a file with any line that does not pass as it is raises NotPlain and
month_import checks it line by line in Python instead (month_lines), which names every error with its line number,
or accepts the line when it is merely written differently («1 300,00»). So the SQL accepts nothing the Python would
refuse, and the Russian messages have one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django.db import DataError, connection

from abonent.lib.bulk import copy_text_rows, insert_checked

from .layouts import FIELDS
from .month_lines import MONEY_FIELDS, services_of
from .readers import Table

STAGE = "exchange_month_stage"
GOOD = "exchange_month_good"
SOURCE = f"SELECT * FROM {GOOD}"  # what billing.external_month_write_from reads
NUMBERS = ("volume", "tariff", *MONEY_FIELDS)
ZERO_WHEN_EMPTY = ("volume", "tariff", "recalculation", "penalties")  # month_lines._number: an empty cell is 0
# The characters a figure the database casts is made of: then numeric reads it as Decimal does (to_decimal), and a
# text of them that is no number ("1.2.3", "-") fails the cast (DataError → NotPlain). Anything else — a comma, a
# space, a letter — goes to the Python check as it is. One translate per cell: a regex was five times dearer.
DIGITS = "0123456789.-"
GOOD_NAMES = {"recalculation": "recalculated"}  # the column the billing side reads


class NotPlain(Exception):
    """A line the set-based check does not accept as it is."""


@dataclass
class MonthCounts:
    lines: int
    accounts: set[int]
    total_to_pay: Decimal


def staged(table: Table, index: dict[str, int], organisation) -> MonthCounts:
    """Stage and check the file's lines (inside the caller's transaction); NotPlain when one does not pass."""
    present = [name for name in FIELDS if name in index]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {GOOD}")
        columns = ", ".join(f"{name} text NOT NULL DEFAULT ''" for name in FIELDS)
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (line_no integer NOT NULL, {columns}) ON COMMIT DROP")
        copy_text_rows(STAGE, ("line_no", *present), _rows(table, [index[name] for name in present]))
        names, ids = _services_named(cursor, organisation)
        try:
            cursor.execute(_converted(), {"org": organisation.pk, "names": names, "ids": ids})
        except DataError as exc:
            raise NotPlain from exc  # the caller's transaction is rolled back with it
        cursor.execute(BAD)
        if cursor.fetchone()[0]:
            raise NotPlain
        cursor.execute(f"SELECT account_id, count(*), sum(to_pay) FROM {GOOD} GROUP BY account_id")
        counts = cursor.fetchall()
    return MonthCounts(
        sum(c for _, c, _ in counts), {a for a, _, _ in counts}, sum((t for _, _, t in counts), Decimal(0))
    )


def _rows(table: Table, positions: list[int]) -> list[tuple[str, ...]]:
    """The cells of the mapped columns of each line; a short line's missing cells are empty, as month_lines reads."""
    get, width = itemgetter(*positions), max(positions) + 1
    rows = []
    for line_no, cells in table.rows:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append((str(line_no), *get(cells)))
    return rows


def _services_named(cursor, organisation) -> tuple[list[str], list[int]]:
    """The service texts of the file matched as month_lines matches them (code or name, casefold): a handful."""
    cursor.execute(f"SELECT DISTINCT service FROM {STAGE}")
    known = services_of(organisation)
    found = [(text, known[text.casefold()].pk) for (text,) in cursor.fetchall() if text.casefold() in known]
    return [text for text, _ in found], [pk for _, pk in found]


def _converted() -> str:
    def number(name: str) -> str:
        empty = "0" if name in ZERO_WHEN_EMPTY else "NULL"
        return (
            f"CASE WHEN s.{name} = '' THEN {empty} WHEN translate(s.{name}, '{DIGITS}', '') = '' "
            f"THEN s.{name}::numeric END "
            f"AS {GOOD_NAMES.get(name, name)}"
        )

    return f"""
CREATE TEMP TABLE {GOOD} ON COMMIT DROP AS
SELECT s.line_no, a.id AS account_id, m.service_id, left(s.unit, 16) AS unit, {", ".join(map(number, NUMBERS))}
FROM {STAGE} s
LEFT JOIN housing_personalaccount a ON a.organisation_id = %(org)s AND a.number = s.account
LEFT JOIN unnest(%(names)s::text[], %(ids)s::bigint[]) AS m (name, service_id) ON m.name = s.service
"""


def _money_ok(name: str) -> str:
    return f"abs({name}) < 1e11 AND {name} = round({name}, 2)"


# IS NOT TRUE: a figure that did not cast is NULL, and a NULL condition is a bad line too.
BAD = f"""
SELECT EXISTS (
    SELECT 1 FROM {GOOD} WHERE account_id IS NULL OR service_id IS NULL OR (
        volume >= 0 AND volume < 1e11 AND tariff >= 0 AND tariff < 1e11
        AND {" AND ".join(_money_ok(GOOD_NAMES.get(n, n)) for n in MONEY_FIELDS)}
        AND opening + charged + recalculated + penalties - paid = to_pay
    ) IS NOT TRUE
) OR EXISTS (SELECT 1 FROM {GOOD} GROUP BY account_id, service_id HAVING count(*) > 1)
"""

KEEP = f"""
INSERT INTO exchange_importedline (file_id, line_no, account_id, service_id, unit, volume, tariff, charged,
                                   recalculation, penalties, opening, paid, to_pay)
SELECT %(file)s, line_no, account_id, service_id, unit, volume, tariff, charged, recalculated, penalties, opening,
       paid, to_pay
FROM {GOOD} ORDER BY line_no
"""


def lines_keep(file_id: int) -> None:
    """The checked lines as the version's ImportedLine rows. Written after the month (external_month_write_from
    locked the accounts and services they name) into a file row of this transaction: no reference to lock again."""
    with connection.cursor() as cursor:
        insert_checked(cursor, KEEP, {"file": file_id}, {})
        cursor.execute(f"DROP TABLE {STAGE}, {GOOD}")
