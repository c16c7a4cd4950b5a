"""The ledger by service: an account's opening, charges, recalculations, penalties, payments and closing for each
service of a period (ServiceBalance), whose sums are the account's balance (AccountBalance).

- opening — the service's closing of the previous period;
- charged, recalculated — the period's charge lines and recalculations of the service (a recalculation without a
  service goes to the row without one);
- penalties — the account's penalty of the period split in proportion to its positive openings by service: the
  penalty accrues on the overdue debt, and that debt is what the services are owed (allocation.split; no debt
  by service — the row without one);
- paid — what the period's payments paid for the service (Allocation, fixed when each payment was posted).

Written with the account balances (ledger.balances_rebuild, ledger.account_balances_refresh): on PostgreSQL
one INSERT … SELECT for the period, elsewhere the same rows computed here; then `check` compares the two ledgers
and refuses (BillingError) any difference, so the per-service ledger can never drift from the account's.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from abonent.lib.bulk import insert_checked, insert_rows

from . import calculations as calc
from .allocation import split
from .errors import BillingError
from .models import Allocation, BillingPeriod, Charge, Penalty, Recalculation, ServiceBalance

ZERO = Decimal("0")
FIELDS = ("opening", "charged", "recalculated", "penalties", "paid")
COLUMNS = ("account_id", "period_id", "service_id", *FIELDS, "closing")

# sk: the service id, 0 for the row without a service. Every source is one UNION ALL of tagged amounts summed by
# (account, sk) in one hash aggregate: three times cheaper than joining five grouped sources (measured).
ROWS = """
INSERT INTO billing_servicebalance (account_id, period_id, service_id, opening, charged, recalculated, penalties,
                                    paid, closing)
WITH opening AS MATERIALIZED (
    SELECT account_id, coalesce(service_id, 0) AS sk, closing AS amount FROM billing_servicebalance
    WHERE period_id = %(previous)s AND closing <> 0
),
penalty AS MATERIALIZED (
    SELECT account_id, amount FROM billing_penalty WHERE period_id = %(period)s AND amount <> 0
),
weights AS MATERIALIZED (
    SELECT o.account_id, o.sk, o.amount AS w, sum(o.amount) OVER (PARTITION BY o.account_id) AS whole,
           row_number() OVER (PARTITION BY o.account_id ORDER BY o.amount DESC, nullif(o.sk, 0) NULLS FIRST) AS rn
    FROM opening o JOIN penalty p USING (account_id) WHERE o.amount > 0
),
parts AS (
    SELECT w.account_id, w.sk, w.rn, p.amount AS total, round(p.amount * w.w / w.whole, 2) AS part
    FROM weights w JOIN penalty p USING (account_id)
),
penalties AS (
    SELECT account_id, sk,
           part + CASE WHEN rn = 1 THEN total - sum(part) OVER (PARTITION BY account_id) ELSE 0 END AS amount
    FROM parts
    UNION ALL
    SELECT p.account_id, 0, p.amount FROM penalty p
    WHERE NOT EXISTS (SELECT 1 FROM weights w WHERE w.account_id = p.account_id)
),
tagged (account_id, sk, opening, charged, recalculated, penalties, paid) AS (
    SELECT account_id, sk, amount, 0, 0, 0, 0 FROM opening
    UNION ALL
    SELECT account_id, service_id, 0, amount, 0, 0, 0 FROM billing_charge WHERE period_id = %(period)s
    UNION ALL
    SELECT account_id, coalesce(service_id, 0), 0, 0, amount, 0, 0 FROM billing_recalculation
    WHERE period_id = %(period)s
    UNION ALL
    SELECT account_id, sk, 0, 0, 0, amount, 0 FROM penalties
    UNION ALL
    SELECT account_id, coalesce(service_id, 0), 0, 0, 0, 0, amount FROM billing_allocation
    WHERE period_id = %(period)s
)
SELECT account_id, %(period)s, nullif(sk, 0), opening, charged, recalculated, penalties, paid,
       opening + charged + recalculated + penalties - paid
FROM (
    SELECT account_id, sk, sum(opening) AS opening, sum(charged) AS charged, sum(recalculated) AS recalculated,
           sum(penalties) AS penalties, sum(paid) AS paid
    FROM tagged GROUP BY account_id, sk
) turnover
ORDER BY account_id, sk
"""

# What the rows reference. Accounts with a balance row of the period are locked already (balances_rebuild's insert
# right before, or the charges'); only the others are locked here.
REFERENCES = {
    "housing_personalaccount": """
        SELECT account_id FROM billing_servicebalance s WHERE period_id = %(period)s AND NOT EXISTS (
            SELECT 1 FROM billing_accountbalance b WHERE b.period_id = s.period_id AND b.account_id = s.account_id)""",
    "billing_service": "SELECT service_id FROM billing_servicebalance WHERE period_id = %(period)s",
    "billing_billingperiod": "SELECT %(period)s::bigint",
}

# The accounts whose two ledgers differ in any field (a row on one side only counts as zeros on the other); within
# a tenth of a kopeck because SQLite sums decimals as binary floats (on PostgreSQL this is equality).
DIFFERENCES = """
SELECT coalesce(b.account_id, s.account_id) FROM (
    SELECT account_id, opening, charged, recalculated, penalties, paid, closing FROM billing_accountbalance
    WHERE period_id = %(period)s
) b FULL JOIN (
    SELECT account_id, sum(opening) AS opening, sum(charged) AS charged, sum(recalculated) AS recalculated,
           sum(penalties) AS penalties, sum(paid) AS paid, sum(closing) AS closing
    FROM billing_servicebalance WHERE period_id = %(period)s GROUP BY account_id
) s USING (account_id)
WHERE abs(coalesce(b.opening, 0) - coalesce(s.opening, 0)) > 0.001
   OR abs(coalesce(b.charged, 0) - coalesce(s.charged, 0)) > 0.001
   OR abs(coalesce(b.recalculated, 0) - coalesce(s.recalculated, 0)) > 0.001
   OR abs(coalesce(b.penalties, 0) - coalesce(s.penalties, 0)) > 0.001
   OR abs(coalesce(b.paid, 0) - coalesce(s.paid, 0)) > 0.001
   OR abs(coalesce(b.closing, 0) - coalesce(s.closing, 0)) > 0.001
LIMIT 5
"""


def service_balances_write(period: BillingPeriod, previous: BillingPeriod | None, accounts=None) -> None:
    """The period's rows by service, the old ones deleted first; `accounts` — only these (a payment's refresh)."""
    old = ServiceBalance.objects.filter(period=period)
    if accounts is not None:
        old = old.filter(account_id__in=accounts)
    old.delete()
    if connection.vendor == "postgresql" and accounts is None:
        params = {"period": period.pk, "previous": previous.pk if previous else None}
        with connection.cursor() as cursor:
            # Foreign keys checked set-based (a trigger per row was most of the statement's time, measured).
            insert_checked(cursor, ROWS, params, REFERENCES, after=True)
        return
    insert_rows(ServiceBalance, COLUMNS, rows(period, previous, accounts))


def _sums(queryset, accounts, key: str = "service_id") -> dict[tuple, Decimal]:
    if accounts is not None:
        queryset = queryset.filter(account_id__in=accounts)
    grouped = queryset.values("account_id", key).annotate(total=Sum("amount")).values_list("account_id", key, "total")
    return {(a, s): calc.round_money(total) for a, s, total in grouped}


def rows(period: BillingPeriod, previous: BillingPeriod | None, accounts=None) -> list[tuple]:
    """The period's rows in COLUMNS order, as the SQL statement above computes them."""
    opening_rows = ServiceBalance.objects.filter(period=previous).exclude(closing=0) if previous else None
    if opening_rows is not None and accounts is not None:
        opening_rows = opening_rows.filter(account_id__in=accounts)
    opening = (
        {(a, s): c for a, s, c in opening_rows.values_list("account_id", "service_id", "closing")} if previous else {}
    )
    values = {
        "opening": opening,
        "charged": _sums(Charge.objects.filter(period=period), accounts),
        "recalculated": _sums(Recalculation.objects.filter(period=period), accounts),
        "penalties": _penalties(period, opening, accounts),
        "paid": _sums(Allocation.objects.filter(period=period), accounts),
    }
    keys = set().union(*values.values())
    result = []
    for account_id, service_id in sorted(keys, key=lambda k: (k[0], -1 if k[1] is None else k[1])):
        turnover = {name: values[name].get((account_id, service_id), ZERO) for name in FIELDS}
        result.append((account_id, period.pk, service_id, *turnover.values(), calc.closing_balance(**turnover)))
    return result


def _penalties(period: BillingPeriod, opening: dict[tuple, Decimal], accounts) -> dict[tuple, Decimal]:
    weights = defaultdict(dict)
    for (account_id, service_id), amount in opening.items():
        weights[account_id][service_id] = amount
    penalties = Penalty.objects.filter(period=period).exclude(amount=0)
    if accounts is not None:
        penalties = penalties.filter(account_id__in=accounts)
    result = {}
    for account_id, amount in penalties.values_list("account_id", "amount"):
        parts = split(amount, weights.get(account_id, {})) or {None: amount}
        result.update({(account_id, service_id): part for service_id, part in parts.items()})
    return result


def check(period: BillingPeriod) -> None:
    """Refuse (BillingError) a period whose ledger by service does not sum to its account balances."""
    with connection.cursor() as cursor:
        cursor.execute(DIFFERENCES.replace("%(period)s", "%s"), [period.pk] * DIFFERENCES.count("%(period)s"))
        wrong = [row[0] for row in cursor.fetchall()]
    if wrong:
        numbers = ", ".join(str(a) for a in wrong)
        raise BillingError(
            f"Сальдо по услугам не сходится с сальдо лицевых счетов за {period}: счета (id) {numbers}. "
            "Ничего не записано."
        )


def balances_by_service(account_ids, period_ids) -> dict[tuple[int, int], list[ServiceBalance]]:
    """(account, period) → its rows by service with the service, in the document's order."""
    result = defaultdict(list)
    rows_ = (
        ServiceBalance.objects.filter(account_id__in=account_ids, period_id__in=period_ids)
        .select_related("service", "service__supplier")
        .order_by("account_id", "period_id", "service__sort_order", "service_id")
    )
    for row in rows_:
        result[(row.account_id, row.period_id)].append(row)
    return dict(result)
