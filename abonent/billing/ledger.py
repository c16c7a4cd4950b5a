"""The ledger and the balances: the only way anything outside the close touches them.

The ledger (LedgerEntry) is append-only: charges, recalculations and penalties enter it when their period is
published, payments when they arrive, a cancelled payment as a negative entry. A published period is frozen
(frozen.py): nothing here writes its balances or entries again; a late payment is posted in the open period. A balance row per account and
period holds closing = opening + charged + recalculated + penalties − paid, the opening being the previous
period's closing. Posting the same fact twice is a no-op by its idempotency key. On PostgreSQL a whole period's
balances and publish's entries are one INSERT … SELECT each; elsewhere the same rows are computed here in Python.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from abonent.housing.models import PersonalAccount
from abonent.lib.bulk import BATCH, insert_checked, insert_rows
from abonent.orgs.dates import month_end

from . import calculations as calc
from . import figures, service_ledger
from .allocation import allocate_pending, allocation_write
from .errors import BillingError
from .frozen import posting_period, refuse_published
from .models import AccountBalance, BillingPeriod, Charge, LedgerEntry, Penalty, Recalculation

ZERO = Decimal("0")

BALANCE_COLUMNS = ("account_id", "period_id", "opening", "charged", "recalculated", "penalties", "paid", "closing")
LEDGER_COLUMNS = (
    "account_id",
    "period_id",
    "kind",
    "amount",
    "occurred_on",
    "source",
    "source_id",
    "idempotency_key",
    "created_at",
)


# The period's balances: the previous closing, the period's charges, recalculations, penalties and payments, for
# every account open in the month or with any of these.
BALANCES = """
INSERT INTO billing_accountbalance (account_id, period_id, opening, charged, recalculated, penalties, paid, closing)
WITH opening AS MATERIALIZED (
    SELECT account_id, closing AS amount FROM billing_accountbalance
    WHERE period_id = %(previous)s AND closing <> 0
),
charged AS MATERIALIZED (
    SELECT account_id, sum(amount) AS amount FROM billing_charge WHERE period_id = %(period)s GROUP BY account_id
),
recalculated AS MATERIALIZED (
    SELECT account_id, sum(amount) AS amount FROM billing_recalculation WHERE period_id = %(period)s
    GROUP BY account_id
),
penalties AS MATERIALIZED (
    SELECT account_id, sum(amount) AS amount FROM billing_penalty WHERE period_id = %(period)s GROUP BY account_id
),
paid AS MATERIALIZED (
    SELECT account_id, sum(amount) AS amount FROM billing_ledgerentry
    WHERE period_id = %(period)s AND kind = 'payment' GROUP BY account_id
),
accounts AS (
    SELECT id AS account_id FROM housing_personalaccount
    WHERE organisation_id = %(org)s AND opened_on <= %(end)s AND (closed_on IS NULL OR closed_on >= %(month)s)
    UNION SELECT account_id FROM opening
    UNION SELECT account_id FROM charged
    UNION SELECT account_id FROM recalculated
    UNION SELECT account_id FROM penalties
    UNION SELECT account_id FROM paid
)
SELECT account_id, %(period)s, opening, charged, recalculated, penalties, paid,
       opening + charged + recalculated + penalties - paid
FROM (
    SELECT a.account_id, coalesce(o.amount, 0) AS opening, coalesce(c.amount, 0) AS charged,
           coalesce(r.amount, 0) AS recalculated, coalesce(p.amount, 0) AS penalties, coalesce(l.amount, 0) AS paid
    FROM accounts a
    LEFT JOIN opening o USING (account_id)
    LEFT JOIN charged c USING (account_id)
    LEFT JOIN recalculated r USING (account_id)
    LEFT JOIN penalties p USING (account_id)
    LEFT JOIN paid l USING (account_id)
) turnover
ORDER BY account_id
"""
# An account with charges of the period is referenced by them: locked by this step's charges insert, or, when the
# balances are rebuilt later, kept by the committed charges' own foreign key. The others are locked here.
BALANCE_ACCOUNTS = "SELECT account_id FROM billing_accountbalance WHERE period_id = %(period)s AND charged = 0"

# Publishing: one charge entry per account (the lines are in billing_charge), one per recalculation and penalty.
# Posting the same fact twice is a no-op by the idempotency key.
LEDGER = """
INSERT INTO billing_ledgerentry (account_id, period_id, kind, amount, occurred_on, source, source_id,
                                 idempotency_key, created_at)
SELECT account_id, %(period)s, 'charge', sum(amount), %(end)s, 'period', %(period)s::text,
       'charge:' || %(period)s || ':' || account_id, %(now)s
FROM billing_charge WHERE period_id = %(period)s GROUP BY account_id
UNION ALL
SELECT account_id, %(period)s, 'recalculation', amount, %(end)s, 'recalculation', id::text, 'recalculation:' || id,
       %(now)s
FROM billing_recalculation WHERE period_id = %(period)s
UNION ALL
SELECT account_id, %(period)s, 'penalty', amount, %(end)s, 'penalty', id::text, 'penalty:' || id, %(now)s
FROM billing_penalty WHERE period_id = %(period)s
ON CONFLICT (idempotency_key) DO NOTHING
"""
LEDGER_ACCOUNTS = """
SELECT account_id FROM billing_charge WHERE period_id = %(period)s
UNION SELECT account_id FROM billing_recalculation WHERE period_id = %(period)s
UNION SELECT account_id FROM billing_penalty WHERE period_id = %(period)s
"""


def account_sums(queryset, field: str = "amount") -> dict[int, Decimal]:
    """The queryset's `field` summed by account."""
    # Rounded because SQLite sums decimals as floats.
    rows = queryset.values("account_id").annotate(total=Sum(field)).values_list("account_id", "total")
    return {account_id: calc.round_money(total) for account_id, total in rows}


def balances_rebuild(period: BillingPeriod) -> None:
    """Rebuild the period's balance rows from its charges, recalculations, penalties and the payments in the
    ledger; the opening is the previous period's closing. Set-based: five aggregate queries. Refused for a
    published period: its balances are what its receipts said."""
    _refuse_published(period)
    org = period.organisation
    previous = BillingPeriod.objects.filter(organisation=org, month__lt=period.month).order_by("-month").first()
    allocate_pending(period)
    if connection.vendor == "postgresql":
        AccountBalance.objects.filter(period=period).delete()
        _balances_sql(period, previous)
    else:
        _balances_python(period, previous)
    service_ledger.service_balances_write(period, previous)
    service_ledger.check(period)
    figures.organisation_figures_bump(org.pk)


def _balances_python(period: BillingPeriod, previous: BillingPeriod | None) -> None:
    org = period.organisation
    opening = (
        dict(AccountBalance.objects.filter(period=previous).values_list("account_id", "closing")) if previous else {}
    )
    charged = account_sums(Charge.objects.filter(period=period))
    recalculated = account_sums(Recalculation.objects.filter(period=period))
    penalties = account_sums(Penalty.objects.filter(period=period))
    paid = account_sums(LedgerEntry.objects.filter(period=period, kind=LedgerEntry.Kind.PAYMENT))
    active = set(
        PersonalAccount.objects.filter(organisation=org, opened_on__lte=month_end(period.month))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.month))
        .values_list("id", flat=True)
    )
    accounts = active | {a for a, v in opening.items() if v} | set(charged) | set(recalculated) | set(paid)
    accounts |= set(penalties)
    AccountBalance.objects.filter(period=period).delete()
    rows = []
    for account_id in sorted(accounts):
        values = {
            "opening": opening.get(account_id, ZERO),
            "charged": charged.get(account_id, ZERO),
            "recalculated": recalculated.get(account_id, ZERO),
            "penalties": penalties.get(account_id, ZERO),
            "paid": paid.get(account_id, ZERO),
        }
        rows.append((account_id, period.pk, *values.values(), calc.closing_balance(**values)))
    insert_rows(AccountBalance, BALANCE_COLUMNS, rows)


def account_balances_refresh(account: PersonalAccount, since: dt.date) -> None:
    """One account's balances from a month on, after a payment or a recalculation: the chain of openings.
    Published periods are skipped, whatever `since` says: the chain restarts from the last published closing."""
    figures.accounts_figures_bump([account.pk])  # its debt changes even when no balance row does
    rows = list(
        AccountBalance.objects.filter(account=account, period__month__gte=since)
        .exclude(period__state=BillingPeriod.State.PUBLISHED)
        .select_related("period")
        .order_by("period__month")
    )
    if not rows:
        return
    before = (
        AccountBalance.objects.filter(account=account, period__month__lt=rows[0].period.month)
        .order_by("-period__month")
        .values_list("closing", flat=True)
        .first()
    )
    opening = before if before is not None else ZERO
    previous = BillingPeriod.objects.filter(organisation_id=account.organisation_id, month__lt=rows[0].period.month)
    previous = previous.order_by("-month").first()
    for row in rows:
        p = row.period
        row.opening = opening
        row.recalculated = account_sums(Recalculation.objects.filter(account=account, period=p)).get(account.pk, ZERO)
        row.paid = account_sums(
            LedgerEntry.objects.filter(account=account, period=p, kind=LedgerEntry.Kind.PAYMENT)
        ).get(account.pk, ZERO)
        row.closing = calc.closing_balance(row.opening, row.charged, row.recalculated, row.penalties, row.paid)
        row.save(update_fields=["opening", "recalculated", "paid", "closing"])
        service_ledger.service_balances_write(p, previous, accounts=[account.pk])
        opening, previous = row.closing, p


def ledger_post_payment(
    *,
    account: PersonalAccount,
    amount: Decimal,
    paid_on: dt.date,
    source: str,
    external_id: str,
    service_id: int | None = None,
    named_month: dt.date | None = None,
) -> tuple[LedgerEntry, bool]:
    """Credit a payment to the account in the period of its date, or in the open period when that one is
    published (frozen.posting_period); the entry keeps the date paid, which penalties count by, and is allocated
    to services (allocation.py: the service or month the payer named, if any). Posting the same payment (source and
    external id) again returns the first entry and changes nothing. Returns (entry, created)."""
    if amount <= 0:
        raise BillingError("Сумма оплаты должна быть положительной.")
    key = f"payment:{source}:{external_id}"
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing:
            return existing, False
        period = posting_period(account.organisation_id, paid_on)
        entry = LedgerEntry.objects.create(
            account=account,
            period=period,
            kind=LedgerEntry.Kind.PAYMENT,
            amount=calc.round_money(Decimal(amount)),
            occurred_on=paid_on,
            source=source,
            source_id=external_id,
            idempotency_key=key,
            service_id=service_id,
            named_month=named_month,
        )
        allocation_write(entry)
        account_balances_refresh(account, period.month)
    return entry, True


def ledger_reverse_payment(
    *, account: PersonalAccount, amount: Decimal, source: str, external_id: str, on: dt.date | None = None
) -> tuple[LedgerEntry, bool]:
    """Cancel a posted payment: a negative payment entry in the period of `on` (the organisation's today by
    default; the open period when that one is published), never an edit of the original. Idempotent by source and external id. Returns (entry, created)."""
    key = f"payment-cancel:{source}:{external_id}"
    on = on or account.organisation.today()
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing:
            return existing, False
        period = posting_period(account.organisation_id, on)
        entry = LedgerEntry.objects.create(
            account=account,
            period=period,
            kind=LedgerEntry.Kind.PAYMENT,
            amount=-calc.round_money(Decimal(amount)),
            occurred_on=on,
            source=source,
            source_id=f"cancel:{external_id}",
            idempotency_key=key,
        )
        allocation_write(
            entry, original=LedgerEntry.objects.filter(idempotency_key=f"payment:{source}:{external_id}").first()
        )
        account_balances_refresh(account, period.month)
    return entry, True


def ledger_post_period(period: BillingPeriod) -> int:
    """Publish's entries: one charge entry per account (the lines are in Charge), one per recalculation and
    penalty; returns how many were written. Balances need no rebuild: payments and recalculations since the
    calculation have already refreshed them."""
    _refuse_published(period)
    now = timezone.now()
    if connection.vendor == "postgresql":  # one INSERT … SELECT
        return _period_entries_sql(period, now)
    entries = _period_entries(period, now)
    if LedgerEntry.objects.filter(period=period).exclude(kind=LedgerEntry.Kind.PAYMENT).exists():
        objects = [LedgerEntry(**dict(zip(LEDGER_COLUMNS, row, strict=True))) for row in entries]
        LedgerEntry.objects.bulk_create(objects, batch_size=BATCH, ignore_conflicts=True)
    else:  # the usual case: nothing of this period is in the ledger yet, so the fast path cannot conflict
        insert_rows(LedgerEntry, LEDGER_COLUMNS, entries)
    return len(entries)


def _refuse_published(period: BillingPeriod) -> None:
    """The period as it is in the database now (the caller's copy may be older)."""
    refuse_published(BillingPeriod.objects.only("state", "month").get(pk=period.pk))


def _period_entries(period: BillingPeriod, now: dt.datetime) -> list[tuple]:
    """The period's entries as tuples in LEDGER_COLUMNS order."""
    end = month_end(period.month)
    pk = period.pk
    charges = Charge.objects.filter(period=period).values("account_id").annotate(total=Sum("amount"))
    entries = [
        (
            r["account_id"],
            pk,
            "charge",
            calc.round_money(r["total"]),
            end,
            "period",
            str(pk),
            f"charge:{pk}:{r['account_id']}",
            now,
        )
        for r in charges
    ]
    for kind, model in (("recalculation", Recalculation), ("penalty", Penalty)):
        entries += [
            (account_id, pk, kind, amount, end, kind, str(row_id), f"{kind}:{row_id}", now)
            for row_id, account_id, amount in model.objects.filter(period=period).values_list(
                "id", "account_id", "amount"
            )
        ]
    return entries


def _balances_sql(period: BillingPeriod, previous: BillingPeriod | None) -> int:
    """The period's balance rows (the old ones already deleted), in one INSERT … SELECT."""
    month = period.month
    params = {
        "org": period.organisation_id,
        "period": period.pk,
        "previous": previous.pk if previous else None,
        "month": month,
        "end": month_end(month),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The accounts are read here and locked after the insert, before the commit: as the row triggers would.
        return insert_checked(cursor, BALANCES, params, {"housing_personalaccount": BALANCE_ACCOUNTS}, after=True)


def _period_entries_sql(period: BillingPeriod, now: dt.datetime) -> int:
    """Publish's ledger entries in one INSERT … SELECT; returns how many were written."""
    params = {"period": period.pk, "end": month_end(period.month), "now": now}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the charges summed by account in memory
        return insert_checked(cursor, LEDGER, params, {"housing_personalaccount": LEDGER_ACCOUNTS})
