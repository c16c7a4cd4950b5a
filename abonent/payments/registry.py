"""Bank payment registries (RULES.md): a configurable layout with a Sberbank-style preset; the summary line is
reconciled and a file that does not add up is refused whole; importing a file twice adds nothing (payment id + date
+ amount is a line's identity); unknown accounts go to the unmatched list; meter readings carried in lines become
readings with channel "bank".

Set-based: the file is parsed and checked in memory, then a handful of queries look up accounts and earlier imports
in chunks, and payments, ledger entries and unmatched lines are written in bulk (COPY on PostgreSQL).
"""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone

from abonent.billing import figures as billing_figures
from abonent.billing import ledger
from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry
from abonent.housing.models import PersonalAccount
from abonent.lib import bulk
from abonent.orgs.dates import month_start

from .models import Payment, PaymentEvent, Registry, UnmatchedLine

CHUNK = 5000
SOURCE = "payments.bank"  # Payment.ledger_source for the bank channel


class RegistryError(Exception):
    """The file is refused whole; the message is for the operator, in Russian."""


@dataclass(frozen=True)
class Layout:
    name: str
    encoding: str = "cp1251"
    separator: str = ";"
    date_formats: tuple[str, ...] = ("%d/%m/%Y", "%d.%m.%Y")
    decimal_comma: bool = False  # amounts as 123,45 rather than 123.45 (both are accepted when True)
    # field → column index (0-based)
    columns: dict[str, int] = field(default_factory=dict)
    summary_prefix: str = "="
    summary_count: int = 0  # columns of the summary line, after the prefix is removed
    summary_total: int = 1


# Сбербанк-style: date;time;branch;cashier;payment id;account;payer;address;period;amount;fee[;readings]
# readings: "serial:value" pairs separated by "|"; summary "=count;total;fee total;...".
SBER = Layout(
    name="sber",
    columns={"paid_on": 0, "payment_id": 4, "account": 5, "payer": 6, "amount": 9, "readings": 11},
)
LAYOUTS = {"sber": SBER, "sber-utf8": Layout(name="sber-utf8", encoding="utf-8", columns=SBER.columns)}


@dataclass
class Line:
    number: int
    paid_on: dt.date
    payment_id: str
    account: str
    payer: str
    amount: Decimal
    readings: list[tuple[str, str]]
    raw: str

    def external_id(self, organisation_id: int) -> str:
        return f"{organisation_id}:{self.payment_id}:{self.paid_on.isoformat()}:{self.amount}"


@dataclass
class Result:
    registry: Registry | None
    created: int = 0
    duplicates: int = 0
    unmatched: int = 0
    readings: int = 0
    reading_errors: list[str] = field(default_factory=list)


def _amount(text: str, layout: Layout) -> Decimal:
    text = text.strip().replace(" ", "")
    if layout.decimal_comma:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError
    return value


def _date(text: str, layout: Layout) -> dt.date:
    for fmt in layout.date_formats:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError


def parse(data: bytes, layout: Layout) -> list[Line]:
    """Every line parsed and the summary reconciled, or RegistryError naming what is wrong."""
    try:
        text = data.decode(layout.encoding)
    except UnicodeDecodeError:
        raise RegistryError(f"Файл не читается в кодировке {layout.encoding}: проверьте формат реестра.") from None
    rows = [r for r in text.splitlines() if r.strip()]
    if not rows or not rows[-1].startswith(layout.summary_prefix):
        raise RegistryError("В реестре нет итоговой строки (количество и сумма платежей).")
    summary = rows.pop()[len(layout.summary_prefix) :].split(layout.separator)
    cols = layout.columns
    lines, errors = [], []
    dates: dict[str, dt.date] = {}  # a registry has a handful of distinct dates; strptime is the slow part
    for n, raw in enumerate(rows, start=1):
        parts = raw.split(layout.separator)
        try:
            paid_on_text, amount_text = parts[cols["paid_on"]], parts[cols["amount"]]
            payment_id, account = parts[cols["payment_id"]].strip(), parts[cols["account"]].strip()
        except IndexError:
            errors.append(f"строка {n}: не хватает полей")
            continue
        try:
            paid_on = dates.get(paid_on_text) or dates.setdefault(paid_on_text, _date(paid_on_text, layout))
        except ValueError:
            errors.append(f"строка {n}: неверная дата «{paid_on_text}»")
            continue
        try:
            amount = _amount(amount_text, layout)
        except ValueError:
            errors.append(f"строка {n}: неверная сумма «{amount_text}»")
            continue
        if amount <= 0:
            errors.append(f"строка {n}: сумма должна быть положительной")
            continue
        if not payment_id or not account:
            errors.append(f"строка {n}: нет идентификатора платежа или лицевого счёта")
            continue
        readings = []
        if "readings" in cols and len(parts) > cols["readings"] and parts[cols["readings"]].strip():
            for pair in parts[cols["readings"]].split("|"):
                serial, _, value = pair.partition(":")
                if serial.strip() and value.strip():
                    readings.append((serial.strip(), value.strip()))
        payer = parts[cols["payer"]].strip() if "payer" in cols and len(parts) > cols["payer"] else ""
        lines.append(Line(n, paid_on, payment_id, account, payer[:200], amount, readings, raw))
    if errors:
        shown = "; ".join(errors[:5]) + (f" и ещё {len(errors) - 5}" if len(errors) > 5 else "")
        raise RegistryError(f"Реестр не загружен: {shown}.")
    try:
        count = int(summary[layout.summary_count].strip())
        total = _amount(summary[layout.summary_total], layout)
    except (IndexError, ValueError):
        raise RegistryError("Итоговая строка реестра не читается: нужны количество и сумма платежей.") from None
    actual = sum((line.amount for line in lines), Decimal("0"))
    if count != len(lines):
        raise RegistryError(f"Реестр не сходится: в итоговой строке {count} платежей, в файле {len(lines)}.")
    if total != actual:
        raise RegistryError(f"Реестр не сходится: в итоговой строке сумма {total}, по строкам {actual}.")
    ids = [(line.payment_id, line.paid_on, line.amount) for line in lines]
    if len(set(ids)) != len(ids):
        raise RegistryError("В реестре повторяется платёж (тот же идентификатор, дата и сумма).")
    return lines


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
    "registry_id",
    "created_at",
    "credited_at",
    "decline_reason",
    "cancel_reason",
)
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


def _existing(model, column: str, values: list, *, also: str | None = None, **equal) -> set:
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
    for chunk in _chunks(values):
        qs = model.objects.filter(**{f"{column}__in": chunk}, **equal)
        found.update(qs.values_list(column, also) if also else qs.values_list(column, flat=True))
    return found


def registry_import(*, organisation, data: bytes, file_name: str, layout: Layout = SBER, actor=None) -> Result:
    """Import a registry file. Refused whole (RegistryError, nothing written) unless every line parses and the
    summary adds up. Lines already imported are counted as duplicates and skipped."""
    lines = parse(data, layout)
    org_id = organisation.pk
    by_id = {line.external_id(org_id): line for line in lines}
    known = _existing(Payment, "external_id", list(by_id), channel=Payment.Channel.BANK)
    known |= _existing(UnmatchedLine, "external_id", list(by_id))
    fresh = {eid: line for eid, line in by_id.items() if eid not in known}
    numbers = sorted({line.account for line in fresh.values()})
    accounts = dict(_existing(PersonalAccount, "number", numbers, organisation_id=org_id, also="id"))
    now = timezone.now()
    result = Result(registry=None, duplicates=len(by_id) - len(fresh))
    with transaction.atomic():
        registry = Registry.objects.create(
            organisation=organisation,
            file_name=file_name[:255],
            layout=layout.name,
            sha256=hashlib.sha256(data).hexdigest(),
            lines=len(lines),
            total=sum((line.amount for line in lines), Decimal("0")),
            imported_by=actor,
        )
        months = sorted({month_start(line.paid_on) for line in fresh.values() if line.account in accounts})
        periods = {}
        for month in months:
            periods[month], _ = BillingPeriod.objects.get_or_create(organisation_id=org_id, month=month)
        payment_rows, ledger_rows, unmatched = [], [], []
        batch = uuid.uuid4()  # a bank payment has no checkout of its own: the registry's lines share one "order"
        for eid, line in fresh.items():
            account_id = accounts.get(line.account)
            if account_id is None:
                unmatched.append(
                    UnmatchedLine(
                        registry=registry,
                        organisation_id=org_id,
                        external_id=eid,
                        account_number=line.account[:60],
                        payer_name=line.payer,
                        amount=line.amount,
                        paid_on=line.paid_on,
                        raw=line.raw,
                    )
                )
                continue
            payment_rows.append(
                (org_id, account_id, line.amount, "bank", "", "credited", batch, "", eid, line.paid_on)
                + (line.payer, registry.pk, now, now, "", "")
            )
            # The key ledger_post_payment would use for this payment: posting it again there is a no-op.
            ledger_rows.append(
                (account_id, periods[month_start(line.paid_on)].pk, LedgerEntry.Kind.PAYMENT, line.amount)
                + (line.paid_on, SOURCE, eid, f"payment:{SOURCE}:{eid}", now)
            )
        bulk.insert_rows(Payment, PAYMENT_COLUMNS, payment_rows, free_text=(8, 10))
        bulk.insert_rows(LedgerEntry, LEDGER_COLUMNS, ledger_rows, free_text=(6, 7))
        UnmatchedLine.objects.bulk_create(unmatched, batch_size=CHUNK)
        _rebuild_balances(org_id, months[0] if months else None)
        if ledger_rows:  # the debts of the accounts paid change, whether or not a balance row did
            billing_figures.organisation_figures_bump(org_id)
        result.registry, result.created, result.unmatched = registry, len(payment_rows), len(unmatched)
        registry.created, registry.duplicates, registry.unmatched = result.created, result.duplicates, result.unmatched
        registry.save(update_fields=["created", "duplicates", "unmatched"])
        # The audit trail of the new payments in one INSERT … SELECT, not a row at a time.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PaymentEvent._meta.db_table} (payment_id, at, status, actor_id, details) "
                f"SELECT id, %s, %s, %s, %s FROM {Payment._meta.db_table} WHERE registry_id = %s",
                [now, Payment.Status.CREDITED, getattr(actor, "pk", None), f"реестр {file_name}"[:500], registry.pk],
            )
    _readings([line for line in fresh.values() if line.readings and line.account in accounts], org_id, result)
    return result


def _rebuild_balances(org_id: int, since: dt.date | None) -> None:
    """The balances of every period from the earliest payment's month on that already has them, set-based, in
    order (each opens with the previous closing). Periods without balance rows yet (not calculated) get none,
    as with ledger_post_payment."""
    if since is None:
        return
    months = (
        AccountBalance.objects.filter(period__organisation_id=org_id, period__month__gte=since)
        .values_list("period_id", flat=True)
        .distinct()
    )
    for period in BillingPeriod.objects.filter(pk__in=list(months)).order_by("month"):
        ledger.balances_rebuild(period)


def _readings(lines: list[Line], org_id: int, result: Result) -> None:
    """Meter readings carried in the lines, through the readings service (its checks apply; a refused reading
    does not refuse the payment)."""
    from abonent.metering.models import Meter, Reading
    from abonent.metering.services import ReadingError, reading_submit

    if not lines:
        return
    serials = {serial for line in lines for serial, _ in line.readings}
    meters = {}
    for m in Meter.objects.filter(premises__building__organisation_id=org_id, serial_number__in=serials).select_related(
        "premises"
    ):
        meters.setdefault(m.serial_number, []).append(m)
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
            try:
                reading_submit(meter=meter, value_text=value, user=None, channel=Reading.Channel.BANK)
                result.readings += 1
            except ReadingError as exc:
                result.reading_errors.append(f"строка {line.number}: {' '.join(exc.messages)}")
