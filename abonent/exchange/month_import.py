"""Import of a month from the organisation's billing: read the file, check every line, keep the file and its lines
as the month's new version, write the figures as the period's draft (billing.external) and, when asked, publish
it through the usual cycle step (receipts issued, the ledger posted). One transaction: a refused file — any bad
line, a missing column, a wrong encoding, a period already published — changes nothing but the audit record of
the refusal. A job (or the admin, the command, the HTTP endpoint) calls `billing_month_import` with the file's
bytes; nothing here depends on who calls.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Q

from abonent.billing import cycle, cycle_guard
from abonent.billing.errors import BillingError
from abonent.billing.external import ExternalLine, external_month_write, external_month_write_from
from abonent.billing.models import BillingPeriod
from abonent.housing.models import PersonalAccount
from abonent.lib.bulk import insert_rows
from abonent.lib.collector import collector_paused
from abonent.lib.numbers import money
from abonent.orgs.dates import month_end, month_label, month_start

from . import month_staging, readers
from .errors import ExchangeRefused
from .layouts import LAYOUTS, Layout, with_overrides
from .models import BillingMapping, ExchangeFile, ImportedLine
from .month_lines import Line, checked, columns

ZERO = Decimal("0")


@dataclass
class MonthResult:
    file: ExchangeFile
    lines: int
    accounts: int
    missing: list[str] = field(default_factory=list)
    published: bool = False

    def summary(self) -> str:
        text = (
            f"Загружен {month_label(self.file.month)}, версия {self.file.version}: строк {self.lines}, счетов "
            f"{self.accounts}, к оплате {money(self.file.total_to_pay)}"
        )
        if self.missing:
            text += f"; нет в файле {len(self.missing)} открытых счетов: {', '.join(self.missing[:20])}"
        return text + ("; период опубликован." if self.published else "; период — черновик, не опубликован.")


def mapping_of(organisation) -> tuple[Layout, str]:
    """The organisation's layout and declared encoding (the default preset when it set none)."""
    mapping = BillingMapping.objects.filter(organisation=organisation).first()
    if mapping is None:
        return LAYOUTS["abonent"], "auto"
    return with_overrides(LAYOUTS[mapping.preset], mapping.columns), mapping.encoding


def billing_month_import(
    *,
    organisation,
    month: dt.date,
    data: bytes,
    file_name: str,
    file_format: str | None = None,
    actor=None,
    channel: str = "command",
    publish: bool = False,
) -> MonthResult:
    """Import the month; ExchangeRefused (Russian reasons with line numbers) when the file is refused."""
    month = month_start(month)
    audit = {
        "organisation": organisation,
        "month": month,
        "file_name": file_name[:255],
        "content": data,
        "checksum": hashlib.sha256(data).hexdigest(),
        "channel": channel,
        "created_by": actor if getattr(actor, "pk", None) else None,
    }
    try:
        if publish:
            _refuse_early_publish(organisation, month)
        with collector_paused():
            result = _accepted(organisation, month, data, file_name, file_format, audit)
    except ExchangeRefused as refusal:
        ExchangeFile.objects.create(
            **audit, status=ExchangeFile.Status.REFUSED, file_format=file_format or "", errors="\n".join(refusal.errors)
        )
        raise
    if publish:
        cycle.period_close(organisation=organisation, month=month, step="publish", actor=audit["created_by"])
        result.published = True
    return result


def _refuse_early_publish(organisation, month: dt.date) -> None:
    """Publishing before the month's last day needs an operator's reason (cycle_guard): asked for at the import, it
    would leave the month loaded but unpublished, so the file is refused before anything is written."""
    early = cycle_guard.early_step(BillingPeriod(organisation=organisation, month=month), "publish")
    if early:
        raise ExchangeRefused([f"{early} Загрузите месяц без публикации или после его окончания."])


def _accepted(organisation, month, data, file_name, file_format, audit) -> MonthResult:
    if not organisation.external_billing:
        raise ExchangeRefused(
            ["организация считает начисления сама (режим «собственный расчёт»): месяц из биллинга не загружается"]
        )
    fmt = readers.file_format(file_name, file_format)
    layout, encoding = mapping_of(organisation)
    table = readers.read(data, fmt, encoding=encoding, separator=layout.separator)
    if set_based():
        index, errors = columns(table, layout)
        if errors:
            raise ExchangeRefused(errors)
        try:
            return _accepted_in_sql(organisation, month, fmt, table, index, audit)
        except month_staging.NotPlain:
            pass  # a line to read or refuse one by one, with its message: the Python check below
    return _accepted_by_lines(organisation, month, fmt, table, layout, audit)


def set_based() -> bool:
    """Whether the lines are checked and written in SQL (month_staging): on PostgreSQL; SQLite reads them in Python."""
    return connection.vendor == "postgresql"


def _accepted_in_sql(organisation, month, fmt, table, index, audit) -> MonthResult:
    """PostgreSQL: the lines checked and written set-based (month_staging), the same rows as _accepted_by_lines."""
    with transaction.atomic():
        staged = month_staging.staged(table, index, organisation)
        period = _open_period(organisation, month)
        stored = _version(organisation, month, fmt, table.encoding, audit, staged)
        accounts = _month_write(lambda: external_month_write_from(period, month_staging.SOURCE))
        month_staging.lines_keep(stored.pk)
    return MonthResult(stored, staged.lines, accounts, _missing(organisation, month, staged.accounts))


def _accepted_by_lines(organisation, month, fmt, table, layout, audit) -> MonthResult:
    lines, errors = checked(table, layout, organisation)
    if errors:
        raise ExchangeRefused(errors)
    counts = month_staging.MonthCounts(
        len(lines), {line.account.pk for line in lines}, sum((line.values["to_pay"] for line in lines), ZERO)
    )
    with transaction.atomic():
        period = _open_period(organisation, month)
        stored = _version(organisation, month, fmt, table.encoding, audit, counts)
        _lines_keep(stored, lines)
        accounts = _month_write(lambda: external_month_write(period, [_external(line) for line in lines]))
    return MonthResult(stored, len(lines), accounts, _missing(organisation, month, counts.accounts))


def _open_period(organisation, month) -> BillingPeriod:
    period, _ = BillingPeriod.objects.get_or_create(organisation=organisation, month=month)
    period = BillingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.state == BillingPeriod.State.PUBLISHED:
        raise ExchangeRefused(
            [
                f"период {month_label(month)} уже опубликован, квитанции выпущены: его цифры не меняются; "
                "исправления загрузите в следующем месяце перерасчётом"
            ]
        )
    return period


def _month_write(write) -> int:
    try:
        return write()
    except BillingError as exc:
        raise ExchangeRefused([str(exc)]) from exc


def _version(organisation, month, fmt, encoding, audit, counts: month_staging.MonthCounts) -> ExchangeFile:
    """The file as the month's next version, the only current one; earlier versions and their lines stay."""
    versions = ExchangeFile.objects.filter(
        organisation=organisation, kind=ExchangeFile.Kind.MONTH, month=month, status=ExchangeFile.Status.ACCEPTED
    )
    number = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
    versions.filter(is_current=True).update(is_current=False)
    return ExchangeFile.objects.create(
        **audit,
        status=ExchangeFile.Status.ACCEPTED,
        version=number,
        is_current=True,
        file_format=fmt,
        encoding=encoding,
        lines=counts.lines,
        accounts=len(counts.accounts),
        total_to_pay=counts.total_to_pay,
    )


def _lines_keep(stored: ExchangeFile, lines: list[Line]) -> None:
    values = ("volume", "tariff", "charged", "recalculation", "penalties", "opening", "paid", "to_pay")
    rows = [
        (stored.pk, line.line_no, line.account.pk, line.service.pk, line.unit[:16], *(line.values[v] for v in values))
        for line in lines
    ]
    # COPY on PostgreSQL: a month of a city is a million lines; the unit is the file's own text
    insert_rows(ImportedLine, ("file_id", "line_no", "account_id", "service_id", "unit", *values), rows, free_text=(4,))


def _external(line: Line) -> ExternalLine:
    v = line.values
    return ExternalLine(
        account_id=line.account.pk,
        service_id=line.service.pk,
        volume=v["volume"],
        tariff=v["tariff"],
        charged=v["charged"],
        recalculated=v["recalculation"],
        penalties=v["penalties"],
        opening=v["opening"],
        paid=v["paid"],
        to_pay=v["to_pay"],
    )


def _missing(organisation, month: dt.date, present: set[int]) -> list[str]:
    """Accounts open in the month that the file does not mention: reported, not refused (a billing may leave out
    an account with nothing to bill)."""
    open_accounts = PersonalAccount.objects.filter(organisation=organisation, opened_on__lte=month_end(month)).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=month)
    )
    numbers = [
        number for pk, number in open_accounts.values_list("pk", "number").order_by("number") if pk not in present
    ]
    if numbers:
        ExchangeFile.objects.filter(
            organisation=organisation, month=month, is_current=True, kind=ExchangeFile.Kind.MONTH
        ).update(missing_accounts="\n".join(numbers))
    return numbers
