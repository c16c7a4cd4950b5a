"""Import of a bank statement in the 1CClientBankExchange text format (what Russian banks' client-bank systems
export for 1С): the payments credited to the organisation's settlement account are matched to accounts by the
payment purpose («л/с 100001», or any number in the text that is one of the organisation's accounts, when exactly
one is) and credited through payments (a Registry record, Payment, payment_credit); the rest become payments'
unmatched lines for matching by hand. Documents to other accounts (outgoing payments) are skipped. A document
without a date or a sum refuses the whole file; loading the same statement again adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import parse_ru_date
from abonent.lib.numbers import to_decimal
from abonent.payments import registry_encoding
from abonent.payments.models import Payment, Registry, UnmatchedLine
from abonent.payments.services import payment_credit

from .errors import ExchangeRefused
from .models import ExchangeFile

DECLARED = {"windows": "cp1251", "dos": "cp866", "utf-8": "utf-8", "utf8": "utf-8"}
NUMBERS = re.compile(r"\d{4,20}")
ACCOUNT_MARK = re.compile(r"(?:л/?с|лицевой\s+сч[её]т|лс)\s*[№:.\-]?\s*(\d{3,20})", re.IGNORECASE)


@dataclass
class Document:
    line_no: int
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class StatementResult:
    credited: int = 0
    unmatched: int = 0
    duplicates: int = 0
    skipped: int = 0  # documents not to the settlement account
    registry: Registry | None = None


def decode(data: bytes) -> str:
    detected = registry_encoding.detect(data)
    head = data[:400].decode("ascii", "replace")
    if not head.lstrip("\ufeff\xef\xbb\xbf").startswith("1CClientBankExchange"):
        raise ExchangeRefused(
            ["файл не выписка 1CClientBankExchange: первая строка должна быть «1CClientBankExchange»"]
        )
    declared_match = re.search(r"Кодировка=(\w[\w-]*)", data[:400].decode(detected or "cp1251", "replace"))
    declared = DECLARED.get(declared_match.group(1).lower()) if declared_match else None
    if declared and detected and registry_encoding.canonical(declared) != registry_encoding.canonical(detected):
        raise ExchangeRefused(
            [
                f"выписка объявляет кодировку {registry_encoding.describe(declared)}, а записана в "
                f"{registry_encoding.describe(detected)}"
            ]
        )
    return data.decode(detected or declared or "cp1251")


def documents(text: str) -> list[Document]:
    found, current = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("СекцияДокумент"):
            current = Document(number)
        elif line == "КонецДокумента" and current is not None:
            found.append(current)
            current = None
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            current.values[key.strip()] = value.strip()
    if current is not None:
        raise ExchangeRefused([f"строка {current.line_no}: документ не закончен («КонецДокумента» нет): файл обрезан"])
    return found


def _checked(doc: Document) -> tuple:
    errors = []
    text = doc.values.get("ДатаПоступило") or doc.values.get("Дата", "")
    day = parse_ru_date(text)
    if day is None:
        errors.append(f"строка {doc.line_no}: неверная дата документа «{text}»")
    amount = to_decimal(doc.values.get("Сумма", ""))
    if amount is None or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        errors.append(f"строка {doc.line_no}: неверная сумма «{doc.values.get('Сумма', '')}»")
    return day, amount, errors


def match_account(purpose: str, accounts: dict[str, PersonalAccount]) -> PersonalAccount | None:
    """The account the purpose names: after «л/с», else the only number in it that is an account."""
    marked = [accounts[n] for n in ACCOUNT_MARK.findall(purpose) if n in accounts]
    if marked:
        return marked[0] if len({a.pk for a in marked}) == 1 else None
    found = {accounts[n].pk: accounts[n] for n in NUMBERS.findall(purpose) if n in accounts}
    return next(iter(found.values())) if len(found) == 1 else None


def statement_import(*, organisation, data: bytes, file_name: str, actor=None) -> StatementResult:
    docs = documents(decode(data))
    incoming = [d for d in docs if _receiver(d) == organisation.settlement_account]
    checked = [(d, *_checked(d)) for d in incoming]
    errors = [e for *_, problems in checked for e in problems]
    if errors:
        raise ExchangeRefused(errors)
    accounts = {a.number: a for a in PersonalAccount.objects.filter(organisation=organisation)}
    result = StatementResult(skipped=len(docs) - len(incoming))
    with transaction.atomic():
        result.registry = Registry.objects.create(
            organisation=organisation,
            file_name=file_name[:255],
            layout="1c-bank-statement",
            sha256=hashlib.sha256(data).hexdigest(),
            lines=len(incoming),
            total=sum((amount for _, _, amount, _ in checked), Decimal("0")),
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        for doc, day, amount, _ in checked:
            _one(organisation, doc, day, amount, accounts, result, actor)
        Registry.objects.filter(pk=result.registry.pk).update(
            created=result.credited, duplicates=result.duplicates, unmatched=result.unmatched
        )
        _audit(organisation, data, file_name, result, actor)
    return result


def _receiver(doc: Document) -> str:
    return doc.values.get("ПолучательСчет") or doc.values.get("ПолучательРасчСчет", "")


def _one(organisation, doc, day, amount, accounts, result: StatementResult, actor) -> None:
    v = doc.values
    external_id = f"1c:{day:%Y%m%d}:{v.get('Номер', '')}:{v.get('ПлательщикСчет', '')}:{amount}"[:100]
    if (
        Payment.objects.filter(organisation=organisation, external_id=external_id).exists()
        or UnmatchedLine.objects.filter(external_id=external_id).exists()
    ):
        result.duplicates += 1
        return
    payer = (v.get("Плательщик1") or v.get("Плательщик", ""))[:200]
    purpose = v.get("НазначениеПлатежа", "")
    account = match_account(purpose, accounts)
    if account is None:
        UnmatchedLine.objects.create(
            registry=result.registry,
            organisation=organisation,
            external_id=external_id,
            account_number="",
            payer_name=payer,
            amount=amount,
            paid_on=day,
            raw=purpose[:2000],
        )
        result.unmatched += 1
        return
    payment = Payment.objects.create(
        organisation=organisation,
        account=account,
        amount=amount,
        channel=Payment.Channel.BANK,
        external_id=external_id,
        paid_on=day,
        payer_name=payer,
        registry=result.registry,
    )
    payment_credit(payment=payment, actor=actor, details="банковская выписка")
    result.credited += 1


def _audit(organisation, data: bytes, file_name: str, result: StatementResult, actor) -> None:
    ExchangeFile.objects.create(
        organisation=organisation,
        kind=ExchangeFile.Kind.BANK_STATEMENT,
        status=ExchangeFile.Status.ACCEPTED,
        file_name=file_name[:255],
        content=data,
        checksum=hashlib.sha256(data).hexdigest(),
        file_format="txt",
        lines=result.credited + result.unmatched + result.duplicates,
        accounts=result.credited,
        total_to_pay=result.registry.total,
        channel="command",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
