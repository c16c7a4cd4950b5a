"""Issued receipts as documents: what a period's ЕПД said on the day it was published, kept as it was.

A published period's figures are frozen (billing.frozen), but a receipt also shows things that live on: the
organisation's bank details and address, the payer's name, the premises' area, the activation code, a meter's
number, the due date (a production calendar may be edited). So what all receipts of the period share is stored
once inside publish (IssuedPeriod): the organisation (the payee), its services, the due date, the нормативы in
force and the houses' common-use figures (common_use.py); and right after publish commits every receipt's sources
(IssuedReceipt, issue_documents): the rows it is made of — account, premises, building, balance, charge lines
with their meter, recalculations, penalty, last payment day, last year's charges — each row with all its columns;
the payment document's number is the IssuedReceipt's own column. A reprint, the print page, the QR code and the e-mail assemble the
receipt from these (selectors.receipts_assembled, the same code that assembles it from the register), so they
equal what was mailed in every figure.

On PostgreSQL the documents are written by one INSERT … SELECT (to_jsonb of each row: all columns by name);
elsewhere the same documents are built here from the rows read by selectors.register_sources.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from abonent.billing.models import AccountBalance, BillingPeriod, Charge, Norm, Recalculation, Service
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.lib.bulk import insert_checked, insert_rows
from abonent.metering.models import Meter
from abonent.orgs.dates import add_months, month_end
from abonent.orgs.models import Organisation, Supplier

from . import common_use
from .models import IssuedPeriod, IssuedReceipt

COLUMNS = ("account_id", "period_id", "number", "data", "created_at")
CHUNK = 500
# The advisory lock of the period's documents being written (key: this and the period's id), held until commit.
ISSUE_LOCK_CLASS = 1_633_841_017


@dataclass
class Sources:
    """What a chunk of one period's receipts is made of: read from the register or from the issued documents."""

    organisation: Organisation
    due_date: dt.date | None
    balances: list[AccountBalance]  # with their account, premises and building; ordered by account number
    charges: dict[int, list[Charge]] = field(default_factory=dict)  # with service and meter, in receipt order
    recalculations: dict[int, list[Recalculation]] = field(default_factory=dict)
    penalties: dict[int, Decimal] = field(default_factory=dict)
    last_payments: dict[int, dt.date] = field(default_factory=dict)
    last_year: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    numbers: dict[int, str] = field(default_factory=dict)  # the payment document's number by account
    gis_ids: dict[int, str] = field(default_factory=dict)  # ГИС ЖКХ's id of the payment document, by account
    # The services with their suppliers as issued (stored receipts); None — read live with the ledger's rows.
    services: dict[int, Service] | None = None
    norms: dict[int, Norm] = field(default_factory=dict)  # the норматив in force by service
    houses: dict[tuple[int, str], common_use.House] = field(default_factory=dict)  # by (building, resource)

    def number(self, account: PersonalAccount, period: BillingPeriod) -> str:
        return self.numbers.get(account.pk) or number_prefix(period) + account.number


def number_prefix(period: BillingPeriod) -> str:
    """The payment document's number is this and the account's number: "<organisation>-<YYYYMM>-<account>",
    the same for every reprint and unique across organisations (an account number is unique within one)."""
    return f"{period.organisation_id}-{period.month:%Y%m}-"


def row(obj: models.Model | None) -> dict | None:
    """A row with all its columns by name, as PostgreSQL's to_jsonb gives it."""
    if obj is None:
        return None
    return {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}


# --- writing ---


def issue_period(period: BillingPeriod, due: dt.date | None) -> None:
    """What the period's receipts share: the payee, the services, the due date (once, before the receipts)."""
    services = list(Service.objects.filter(organisation_id=period.organisation_id))
    suppliers = Supplier.objects.filter(pk__in={s.supplier_id for s in services if s.supplier_id})
    houses = [
        [building, resource, *house.as_row()] for (building, resource), house in common_use.houses(period).items()
    ]
    IssuedPeriod.objects.create(
        period=period,
        payee=row(period.organisation),
        services=[row(s) for s in services],
        suppliers=[row(s) for s in suppliers],
        due_date=due,
        norms=[row(n) for n in common_use.norms(period).values()],
        houses=houses,
    )


def issue_documents(period: BillingPeriod, account_ids: list[int] | None, read_register) -> int:
    """Write the documents of the period's receipts (of these accounts; all: None) that are not stored yet; returns
    how many were written. The step after publish: it runs once publish has committed, in a transaction of its own,
    so the close's transaction does not carry it (≈ 10 s of PostgreSQL's CPU per 100 000 receipts). It is
    idempotent: a crash before or during it leaves receipts without a document, and the next caller — the
    publish step run again, a reprint, the mailing, the export — writes just those. One writer at a time per
    period: a second one waits for the first, then finds nothing left to write.

    What a document holds is what publish fixed: the period's charges, recalculations, penalties and balances
    are frozen (billing.frozen), the payment counted as the last one is one posted up to this period (a late one
    goes to the open period), and what all the receipts share — the payee, the services, the due date,
    the нормативы, the houses' figures — was stored inside publish (IssuedPeriod); only the account's, the
    premises' and the meter's own rows are read as they are when the document is written.
    `read_register`: selectors.register_sources (the Python path off PostgreSQL)."""
    # One query when nothing is missing (every reprint asks); the lock and the check again only when something is.
    if not _missing(period, account_ids) or not IssuedPeriod.objects.filter(period=period).exists():
        return 0  # all written; or not published, or published before receipts were stored (read from the register)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [ISSUE_LOCK_CLASS, period.pk])
        missing = _missing(period, account_ids)  # a writer waited for has written them
        if not missing:
            return 0
        if connection.vendor == "postgresql":
            return issue_sql(period, None if account_ids is None else missing)
        now, written = timezone.now(), 0
        for start in range(0, len(missing), CHUNK):
            sources = read_register(period, missing[start : start + CHUNK])
            if sources:
                written += issue_rows(period, sources, now)
        return written


def _missing(period: BillingPeriod, account_ids: list[int] | None) -> list[int]:
    """The accounts with a balance in the period and no document yet, by account number."""
    balances = AccountBalance.objects.filter(period=period)
    if account_ids is not None:
        balances = balances.filter(account_id__in=list(account_ids))
    documents = IssuedReceipt.objects.filter(period=period, account_id=models.OuterRef("account_id"))
    return list(
        balances.filter(~models.Exists(documents)).order_by("account__number").values_list("account_id", flat=True)
    )


def issue_sql(period: BillingPeriod, account_ids: list[int] | None = None) -> int:
    """The period's documents (of these accounts; all: None) in one INSERT … SELECT (PostgreSQL); returns how many
    were written."""
    last_year = BillingPeriod.objects.filter(
        organisation_id=period.organisation_id, month=add_months(period.month, -12), state=BillingPeriod.State.PUBLISHED
    ).first()
    params = {
        "period": period.pk,
        "end": month_end(period.month),
        "last_year": last_year.pk if last_year else None,
        "prefix": number_prefix(period),
        "now": timezone.now(),
        "organisation": period.organisation_id,
        "month": period.month,
        "accounts": account_ids,
    }
    references = {
        "housing_personalaccount": "SELECT account_id FROM billing_accountbalance WHERE period_id = %(period)s"
        f" AND {ACCOUNTS.format(column='account_id')}",
        # outside publish's transaction the period is not locked by it: its row is, here, as its trigger would
        "billing_billingperiod": "SELECT %(period)s::bigint",
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The stored documents are the same either way; pglz compressing them cost ≈ 3× lz4's CPU (≈ 2.5 s per
        # 100 000 receipts). Only where the server was built with lz4; the column keeps no option of its own.
        cursor.execute(LZ4)
        return insert_checked(cursor, ISSUE, params, references)


def issue_rows(period: BillingPeriod, sources: Sources, now: dt.datetime) -> int:
    """A chunk's documents built in Python (off PostgreSQL), the same as issue_sql writes."""
    last_year = defaultdict(list)
    for (account_id, service_id), amount in sources.last_year.items():
        last_year[account_id].append([service_id, amount])
    rows = [
        (
            b.account_id,
            period.pk,
            number_prefix(period) + b.account.number,
            _document(b, sources, last_year),
            now,
        )
        for b in sources.balances
    ]
    insert_rows(IssuedReceipt, COLUMNS, rows)
    return len(rows)


def _document(b: AccountBalance, s: Sources, last_year: dict[int, list]) -> dict:
    account_id = b.account_id
    premises = b.account.premises
    return {
        "account": row(b.account),
        "premises": row(premises),
        "building": row(premises.building),
        "balance": row(b),
        "charges": [{**row(c), "meter": row(c.meter)} for c in s.charges.get(account_id, [])],
        "recalculations": [
            {**row(r), "corrected_period": row(r.corrected_period)} for r in s.recalculations.get(account_id, [])
        ],
        "penalty": s.penalties.get(account_id),
        "last_payment_on": s.last_payments.get(account_id),
        "last_year": last_year.get(account_id, []),
    }


LZ4 = """SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings
WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"""

# The accounts the statement writes: every one (NULL, folded away by the planner) or these.
ACCOUNTS = "(%(accounts)s::bigint[] IS NULL OR {column} = ANY(%(accounts)s::bigint[]))"

# Each row as to_jsonb gives it, so a column added to a model later is stored with no change here.
ISSUE_TEMPLATE = """
INSERT INTO receipts_issuedreceipt (account_id, period_id, number, data, created_at)
WITH charges AS MATERIALIZED (
    SELECT c.account_id,
           jsonb_agg(CASE WHEN m.id IS NULL THEN to_jsonb(c) ELSE to_jsonb(c) || jsonb_build_object('meter', to_jsonb(m)) END
                     ORDER BY s.sort_order, s.name, c.meter_id) AS rows
    FROM billing_charge c JOIN billing_service s ON s.id = c.service_id LEFT JOIN metering_meter m ON m.id = c.meter_id
    WHERE c.period_id = %(period)s AND {charge_accounts} GROUP BY c.account_id
),
recalculations AS MATERIALIZED (
    SELECT r.account_id,
           jsonb_agg(to_jsonb(r) || jsonb_build_object('corrected_period', to_jsonb(cp)) ORDER BY cp.month, r.id) AS rows
    FROM billing_recalculation r JOIN billing_billingperiod cp ON cp.id = r.corrected_period_id
    WHERE r.period_id = %(period)s AND {recalculation_accounts} GROUP BY r.account_id
),
last_payments AS MATERIALIZED (
    SELECT account_id, max(occurred_on) AS day FROM billing_ledgerentry
    WHERE kind = 'payment' AND amount > 0 AND occurred_on <= %(end)s
      AND account_id IN (SELECT account_id FROM billing_accountbalance WHERE period_id = %(period)s AND {accounts})
      -- posted up to this period: a late payment dated in this month, posted in the open one, came after publish
      AND period_id IN (SELECT id FROM billing_billingperiod WHERE organisation_id = %(organisation)s
                        AND month <= %(month)s)
    GROUP BY account_id
),
last_year AS MATERIALIZED (
    SELECT account_id, jsonb_agg(jsonb_build_array(service_id, charged)) AS rows
    FROM (SELECT account_id, service_id, sum(amount) AS charged FROM billing_charge
          WHERE period_id = %(last_year)s AND {accounts} GROUP BY account_id, service_id) t
    GROUP BY account_id
)
SELECT b.account_id, b.period_id, %(prefix)s || a.number,
       jsonb_build_object(
           'account', to_jsonb(a), 'premises', to_jsonb(p), 'building', to_jsonb(bu), 'balance', to_jsonb(b),
           'charges', coalesce(ch.rows, '[]'::jsonb), 'recalculations', coalesce(rc.rows, '[]'::jsonb),
           'penalty', pe.amount, 'last_payment_on', lp.day, 'last_year', coalesce(ly.rows, '[]'::jsonb)),
       %(now)s
FROM billing_accountbalance b
JOIN housing_personalaccount a ON a.id = b.account_id
JOIN housing_premises p ON p.id = a.premises_id
JOIN housing_building bu ON bu.id = p.building_id
LEFT JOIN charges ch ON ch.account_id = b.account_id
LEFT JOIN recalculations rc ON rc.account_id = b.account_id
LEFT JOIN last_payments lp ON lp.account_id = b.account_id
LEFT JOIN last_year ly ON ly.account_id = b.account_id
LEFT JOIN billing_penalty pe ON pe.account_id = b.account_id AND pe.period_id = b.period_id
WHERE b.period_id = %(period)s AND {balance_accounts}
  AND NOT EXISTS (SELECT 1 FROM receipts_issuedreceipt i WHERE i.period_id = b.period_id AND i.account_id = b.account_id)
ORDER BY b.account_id
"""
ISSUE = ISSUE_TEMPLATE.format(
    accounts=ACCOUNTS.format(column="account_id"),
    charge_accounts=ACCOUNTS.format(column="c.account_id"),
    recalculation_accounts=ACCOUNTS.format(column="r.account_id"),
    balance_accounts=ACCOUNTS.format(column="b.account_id"),
)


# --- reading ---


def stored(period: BillingPeriod, account_ids: list[int] | None = None) -> Sources | None:
    """The sources of the period's issued receipts of these accounts (all: None), by account number; None when
    the period was published before receipts were stored (they are computed from the register then)."""
    shared = IssuedPeriod.objects.filter(period=period).first()
    if shared is None:
        return None
    documents = IssuedReceipt.objects.filter(period=period)
    if account_ids is not None:
        documents = documents.filter(account_id__in=list(account_ids))
    organisation = _instance(Organisation, shared.payee)
    issued_period = copy.copy(period)  # the caller's period keeps its own organisation
    issued_period._state = copy.copy(period._state)
    issued_period._state.fields_cache = {"organisation": organisation}
    services = _services(shared)
    sources = Sources(organisation=organisation, due_date=shared.due_date, balances=[], services=services)
    sources.charges, sources.recalculations = defaultdict(list), defaultdict(list)
    sources.norms = {n.service_id: n for n in (_instance(Norm, values) for values in shared.norms)}
    sources.houses = {(b, resource): common_use.House.from_row(rest) for b, resource, *rest in shared.houses}
    rows = documents.order_by("account__number").values_list("number", "data", "gis_document_id")
    for number, data, gis_id in rows:
        _add(sources, data, issued_period, services)
        sources.numbers[sources.balances[-1].account_id] = number
        sources.gis_ids[sources.balances[-1].account_id] = gis_id
    return sources


def _services(shared: IssuedPeriod) -> dict[int, Service]:
    """The services as issued, each with its supplier as issued; a supplier not stored (a period issued before
    suppliers were) is left to be read live."""
    suppliers = {s.pk: s for s in (_instance(Supplier, values) for values in shared.suppliers)}
    services = {s.pk: s for s in (_instance(Service, values) for values in shared.services)}
    for service in services.values():
        if service.supplier_id in suppliers:
            service._state.fields_cache["supplier"] = suppliers[service.supplier_id]
    return services


def _add(sources: Sources, data: dict, period: BillingPeriod, services: dict[int, Service]) -> None:
    account = _instance(PersonalAccount, data["account"])
    premises = _instance(Premises, data["premises"])
    premises._state.fields_cache["building"] = _instance(Building, data["building"])
    account._state.fields_cache.update(premises=premises, organisation=sources.organisation)
    balance = _instance(AccountBalance, data["balance"])
    balance._state.fields_cache.update(account=account, period=period)
    sources.balances.append(balance)
    for line in data["charges"]:
        charge = _instance(Charge, line)
        charge._state.fields_cache.update(
            service=services[charge.service_id], meter=_instance(Meter, line.get("meter"))
        )
        sources.charges[account.pk].append(charge)
    for line in data["recalculations"]:
        recalculation = _instance(Recalculation, line)
        recalculation._state.fields_cache.update(
            service=services.get(recalculation.service_id),
            corrected_period=_instance(BillingPeriod, line["corrected_period"]),
        )
        sources.recalculations[account.pk].append(recalculation)
    if data["penalty"] is not None:
        sources.penalties[account.pk] = Decimal(data["penalty"])
    if data["last_payment_on"]:
        sources.last_payments[account.pk] = _date(data["last_payment_on"])
    for service_id, amount in data["last_year"]:
        sources.last_year[account.pk, service_id] = Decimal(amount)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _instance(cls: type[models.Model], values: dict | None) -> models.Model | None:
    """A row as stored, never saved (the row in the database may have changed since); a column dropped since the
    receipt was issued is left out."""
    if values is None:
        return None
    fields = {}
    for f in cls._meta.concrete_fields:
        if f.attname in values:
            fields[f.attname] = f.to_python(values[f.attname])
    obj = cls(**fields)
    obj._state.adding = False
    return obj
