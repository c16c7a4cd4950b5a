"""The external month's rows written set-based (PostgreSQL): one INSERT … SELECT per table from the caller's checked
lines, so a city's million lines never become Python objects. The same rows as external.py writes from
ExternalLine objects (the SQLite path, and any caller with a few lines); the tests compare the two.

`source` is a SELECT (or a table) of (account_id, service_id, volume, tariff, charged, recalculated, penalties,
opening, paid, to_pay), every line checked by the caller: the accounts and services exist and are the
organisation's, each account has a service once, the figures have at most kopecks.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from abonent.lib.bulk import insert_checked

CHARGES = """
INSERT INTO billing_charge (account_id, period_id, service_id, basis, volume, price, amount, factor_excess)
SELECT account_id, %(period)s, service_id, 'fixed', volume, tariff, charged, 0 FROM ({source}) s
"""
RECALCULATIONS = """
INSERT INTO billing_recalculation (account_id, period_id, corrected_period_id, service_id, kind, amount, reason,
                                   created_at)
SELECT account_id, %(period)s, %(period)s, service_id, 'operator', recalculated, %(reason)s, %(now)s
FROM ({source}) s WHERE recalculated <> 0
"""
PENALTIES = """
INSERT INTO billing_penalty (account_id, period_id, amount, basis)
SELECT account_id, %(period)s, sum(penalties), %(basis)s FROM ({source}) s
GROUP BY account_id HAVING sum(penalties) <> 0
"""
BALANCES = """
INSERT INTO billing_accountbalance (account_id, period_id, opening, charged, recalculated, penalties, paid, closing)
SELECT account_id, %(period)s, sum(opening), sum(charged), sum(recalculated), sum(penalties), sum(paid), sum(to_pay)
FROM ({source}) s GROUP BY account_id ORDER BY account_id
"""
SERVICE_BALANCES = """
INSERT INTO billing_servicebalance (account_id, period_id, service_id, opening, charged, recalculated, penalties,
                                    paid, closing)
SELECT account_id, %(period)s, service_id, opening, charged, recalculated, penalties, paid, to_pay
FROM ({source}) s ORDER BY account_id, service_id
"""


def write(period, source: str, *, reason: str, basis: str) -> int:
    """Every table of the month from `source`; returns the number of accounts. The accounts and services the
    lines name are locked once (insert_checked, with the charges); the later statements reference the same rows
    in the same transaction, and the period is locked by the caller, so their row triggers are not needed."""
    params = {"period": period.pk, "reason": reason, "basis": basis, "now": timezone.now()}
    references = {
        "housing_personalaccount": f"SELECT account_id FROM ({source}) s",
        "billing_service": f"SELECT service_id FROM ({source}) s",
    }
    with connection.cursor() as cursor:
        insert_checked(cursor, CHARGES.format(source=source), params, references)
        for statement in (RECALCULATIONS, PENALTIES):
            insert_checked(cursor, statement.format(source=source), params, {})
        accounts = insert_checked(cursor, BALANCES.format(source=source), params, {})
        insert_checked(cursor, SERVICE_BALANCES.format(source=source), params, {})
    return accounts
