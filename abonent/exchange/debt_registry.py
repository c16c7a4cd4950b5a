"""The debt registry a bank's bill payment shows to payers (Сбербанк «Оплата ЖКУ» style): Windows-1251 text, one
line per account with a debt — `лицевой счёт;плательщик;адрес;период;сумма` (period ММГГГГ, sum with a point) —
made when a period is published (receivers: period_published, after the commit, queues the job of exchange.tasks) and kept as an exchange file for
download and sending. The debt is the card's (billing.statements.debts): the published closing less later payments.
File name: ИНН_расчётный счёт_ММГГГГ.txt (see docs/EXCHANGE.md about what is and is not verified of this layout).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from abonent.billing.models import AccountBalance, BillingPeriod
from abonent.billing.statements import debts

from .models import ExchangeFile

ZERO = Decimal("0")


def file_name(period: BillingPeriod) -> str:
    org = period.organisation
    return f"{org.inn}_{org.settlement_account}_{period.month:%m%Y}.txt"


def _clean(text: str) -> str:
    return " ".join(str(text).replace(";", ",").split())


def registry_lines(period: BillingPeriod) -> list[str]:
    balances = (
        AccountBalance.objects.filter(period=period)
        .select_related("account__premises__building")
        .order_by("account__number")
    )
    accounts = [b.account for b in balances]
    owed = debts([a.pk for a in accounts])
    lines = []
    for account in accounts:
        debt = owed.get(account.pk, ZERO)
        if debt <= 0:
            continue
        fields = [account.number, account.payer_name, account.premises.address, f"{period.month:%m%Y}", f"{debt:.2f}"]
        lines.append(";".join(_clean(f) for f in fields))
    return lines


def debt_registry_make(period: BillingPeriod, *, channel: str = "publish") -> ExchangeFile:
    lines = registry_lines(period)
    data = "".join(line + "\r\n" for line in lines).encode("cp1251", errors="replace")
    return ExchangeFile.objects.create(
        organisation=period.organisation,
        kind=ExchangeFile.Kind.DEBT_REGISTRY,
        month=period.month,
        status=ExchangeFile.Status.EXPORTED,
        file_name=file_name(period),
        content=data,
        checksum=hashlib.sha256(data).hexdigest(),
        file_format="txt",
        encoding="cp1251",
        lines=len(lines),
        accounts=len(lines),
        total_to_pay=sum((Decimal(line.rsplit(";", 1)[1]) for line in lines), ZERO),
        channel=channel,
    )
