"""Importing a bank payment registry, in its phases:
1. the file read by its layout, every line parsed and the summary reconciled (registry_parse; layouts and presets
   in registry_layouts, the encoding check in registry_encoding) — a file that fails is refused whole;
2. each line matched to an account, lines imported before left out (matching);
3. payments, ledger entries and unmatched lines written in bulk (registry_bulk: COPY on PostgreSQL), balances
   rebuilt, the audit trail added — all in one transaction;
4. meter readings carried in the lines taken as readings with channel "bank".
"""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from abonent.billing import figures as billing_figures
from abonent.billing import ledger
from abonent.billing.allocation import allocate_pending
from abonent.billing.frozen import posting_period
from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry
from abonent.housing.models import PersonalAccount
from abonent.lib import bulk
from abonent.metering.errors import ReadingError
from abonent.metering.models import Meter, Reading
from abonent.metering.submit import reading_submit
from abonent.orgs.dates import month_start

from .matching import Matches, match
from .models import Payment, PaymentEvent, Registry, UnmatchedLine
from .registry_bulk import CHUNK
from .registry_layouts import LAYOUTS, SBER, Layout
from .registry_parse import Line, RegistryError, parse

__all__ = ["LAYOUTS", "SBER", "Layout", "Line", "RegistryError", "Result", "parse", "registry_import"]

SOURCE = "payments.bank"  # Payment.ledger_source for the bank channel

PAYMENT_COLUMNS = (
    "organisation_id",
    "account_id",
    "amount",
    "channel",
    "provider",
    "status",
    "order",
    "provider_payment_id",
    "external_id",
    "paid_on",
    "payer_name",
    "named_period",
    "registry_id",
    "created_at",
    "credited_at",
    "decline_reason",
    "cancel_reason",
    "service_id",
    # An online payment's own (a saved card, an СБП link): COPY writes no column defaults, so they are given.
    "method_id",
    "save_method",
    "sbp_payload",
)


@dataclass
class Result:
    registry: Registry | None
    created: int = 0
    duplicates: int = 0
    unmatched: int = 0
    readings: int = 0
    reading_errors: list[str] = field(default_factory=list)


def registry_import(*, organisation, data: bytes, file_name: str, layout: Layout = SBER, actor=None) -> Result:
    """Import a registry file. Refused whole (RegistryError, nothing written) unless every line parses and the
    summary adds up. Lines already imported are counted as duplicates and skipped."""
    lines = parse(data, layout)
    matches = match(lines, organisation.pk)
    result = Result(registry=None, duplicates=matches.duplicates)
    with transaction.atomic():
        registry = _registry_row(organisation, data, file_name, layout, lines, actor)
        _write_lines(registry, matches, actor, result)
    _readings([line for _, line, _ in matches.matched() if line.readings], result)
    return result


def _registry_row(organisation, data: bytes, file_name: str, layout: Layout, lines: list[Line], actor) -> Registry:
    return Registry.objects.create(
        organisation=organisation,
        file_name=file_name[:255],
        layout=layout.name,
        sha256=hashlib.sha256(data).hexdigest(),
        lines=len(lines),
        total=sum((line.amount for line in lines), Decimal("0")),
        imported_by=actor,
    )


def _write_lines(registry: Registry, matches: Matches, actor, result: Result) -> None:
    """The matched lines as credited payments with their ledger entries, the rest as unmatched lines; then the
    balances, the figures cache, the registry's counts and the payments' audit trail."""
    org_id, now = registry.organisation_id, timezone.now()
    matched = matches.matched()
    months = sorted({month_start(line.paid_on) for _, line, _ in matched})
    # A payment dated in a published month is posted in the open period, keeping its date (billing.frozen).
    posted = {m: posting_period(org_id, m) for m in months}
    periods = {m: p.pk for m, p in posted.items()}
    batch = uuid.uuid4()  # a bank payment has no checkout of its own: the registry's lines share one "order"
    payment_rows, ledger_rows = [], []
    for eid, line, account_id in matched:
        service_id = matches.service_of(line)
        payment_rows.append(
            (org_id, account_id, line.amount, "bank", "", "credited", batch, "", eid, line.paid_on)
            + (line.payer, line.named_period, registry.pk, now, now, "", "", service_id, "", False, "")
        )
        # The key ledger_post_payment would use for this payment: posting it again there is a no-op.
        ledger_rows.append(
            (account_id, periods[month_start(line.paid_on)], LedgerEntry.Kind.PAYMENT, line.amount)
            + (line.paid_on, SOURCE, eid, f"payment:{SOURCE}:{eid}", now, line.named_period, service_id)
        )
    bulk.insert_rows(Payment, PAYMENT_COLUMNS, payment_rows, free_text=(8, 10))
    # The month and the service the payer named go with the entry: the allocation pays them (billing.allocation).
    columns = (*ledger.LEDGER_COLUMNS, "named_month", "service_id")
    bulk.insert_rows(LedgerEntry, columns, ledger_rows, free_text=(6, 7))
    for period in sorted(posted.values(), key=lambda p: p.month):  # allocated now, in the order of the months
        allocate_pending(period)
    unmatched = [_unmatched(registry, eid, line, matches.reason(line)) for eid, line in matches.unmatched()]
    UnmatchedLine.objects.bulk_create(unmatched, batch_size=CHUNK)
    _rebuild_balances(org_id, min((p.month for p in posted.values()), default=None))
    if ledger_rows:  # the debts of the accounts paid change, whether or not a balance row did
        billing_figures.organisation_figures_bump(org_id)
    result.registry, result.created, result.unmatched = registry, len(payment_rows), len(unmatched)
    registry.created, registry.duplicates, registry.unmatched = result.created, result.duplicates, result.unmatched
    registry.save(update_fields=["created", "duplicates", "unmatched"])
    _audit(registry, now, actor)


def _unmatched(registry: Registry, eid: str, line: Line, reason: str) -> UnmatchedLine:
    return UnmatchedLine(
        reason=reason[:300],
        registry=registry,
        organisation_id=registry.organisation_id,
        external_id=eid,
        account_number=line.account[:60],
        payer_name=line.payer,
        amount=line.amount,
        paid_on=line.paid_on,
        named_period=line.named_period,
        service_code=line.service_code[:60],
        raw=line.raw,
    )


def _audit(registry: Registry, now, actor) -> None:
    """The audit trail of the registry's new payments in one INSERT … SELECT, not a row at a time."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PaymentEvent._meta.db_table} (payment_id, at, status, actor_id, details) "
            f"SELECT id, %s, %s, %s, %s FROM {Payment._meta.db_table} WHERE registry_id = %s",
            [
                now,
                Payment.Status.CREDITED,
                getattr(actor, "pk", None),
                f"реестр {registry.file_name}"[:500],
                registry.pk,
            ],
        )


def _rebuild_balances(org_id: int, since: dt.date | None) -> None:
    """The balances of every period from the earliest payment's month on that already has them, set-based, in
    order (each opens with the previous closing). Periods without balance rows yet (not calculated) get none,
    as with ledger_post_payment; published ones are never rebuilt."""
    if since is None:
        return
    months = (
        AccountBalance.objects.filter(period__organisation_id=org_id, period__month__gte=since)
        .exclude(period__state=BillingPeriod.State.PUBLISHED)
        .values_list("period_id", flat=True)
        .distinct()
    )
    for period in BillingPeriod.objects.filter(pk__in=list(months)).order_by("month"):
        ledger.balances_rebuild(period)


def _readings(lines: list[Line], result: Result) -> None:
    """Meter readings carried in the lines, through the readings service (its checks apply; a refused reading
    does not refuse the payment)."""
    if not lines:
        return
    org_id = result.registry.organisation_id
    meters = _meters(org_id, {serial for line in lines for serial, _ in line.readings})
    numbers = dict(
        PersonalAccount.objects.filter(organisation_id=org_id, number__in={line.account for line in lines}).values_list(
            "number", "premises_id"
        )
    )
    for line in lines:
        for serial, value in line.readings:
            meter = next((m for m in meters.get(serial, []) if m.premises_id == numbers.get(line.account)), None)
            if meter is None:
                result.reading_errors.append(f"строка {line.number}: счётчик {serial} не найден у л/с {line.account}")
                continue
            _reading(line, meter, value, result)


def _meters(org_id: int, serials: set[str]) -> dict[str, list]:
    meters = {}
    for m in Meter.objects.filter(premises__building__organisation_id=org_id, serial_number__in=serials).select_related(
        "premises"
    ):
        meters.setdefault(m.serial_number, []).append(m)
    return meters


def _reading(line: Line, meter, value: str, result: Result) -> None:
    try:
        reading_submit(meter=meter, value_text=value, user=None, channel=Reading.Channel.BANK)
        result.readings += 1
    except ReadingError as exc:
        result.reading_errors.append(f"строка {line.number}: {' '.join(exc.messages)}")
