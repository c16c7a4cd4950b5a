"""The warning of a restriction of a communal service (ПП РФ № 354, п. 117–119): who may get it, its dates, the
printable document.

- п. 117–118: a service may be restricted for an incomplete payment — a debt of more than two months' charges
  (the debtors list's «months in debt», office/debtors.py); a debtor owing less gets no warning.
- п. 119(а): the warning is delivered in one of the ways the rule names (DebtNotice.Delivery), and the service may
  be restricted if the debt is not paid within 20 days of delivery. The term runs from the day after delivery
  (ГК РФ ст. 191) and a last day that is not a working day moves to the next working day (ст. 193, the production
  calendar of billing/workdays.py); the restriction may come from the day after it.
- п. 119(в): without a technical possibility to restrict, or 10 days after a restriction the debt is still unpaid,
  the service is suspended.

The debt is the one the debtors list shows: the charges of the published months and the payments up to the
letter's date. Each warning is a DebtNotice on the account and a line of the office's log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from abonent.billing.workdays import work_calendar
from abonent.lib.dates import month_label, ru_date
from abonent.lib.numbers import money

from . import debtors as debtors_rule
from . import money as office_money
from .models import DebtNotice, OfficeAction
from .notices import FONT, letter_head, new_pdf
from .services import log

PAY_WITHIN_DAYS = 20  # п. 119(а)
SUSPEND_AFTER_DAYS = 10  # п. 119(в)
LATEST_DELIVERY_DAYS = 60  # a delivery planned further ahead is a typo


@dataclass(frozen=True)
class Dates:
    pay_by: dt.date  # the last day to pay
    restrict_from: dt.date  # the first day a restriction may be introduced


def dates(organisation, delivered_on: dt.date) -> Dates:
    """20 days from the day after delivery; a last day off moves to the next working day (ГК РФ ст. 191, 193)."""
    pay_by = work_calendar(organisation).next_working_day(delivered_on + dt.timedelta(days=PAY_WITHIN_DAYS))
    return Dates(pay_by=pay_by, restrict_from=pay_by + dt.timedelta(days=1))


def check_delivery(delivery: str, delivered_on: dt.date | None, today: dt.date) -> None:
    if delivery not in DebtNotice.Delivery.values:
        raise ValidationError({"delivery": "Выберите способ доставки предупреждения (п. 119 «а» Правил)."})
    latest = today + dt.timedelta(days=LATEST_DELIVERY_DAYS)
    if delivered_on is None or not (today <= delivered_on <= latest):
        raise ValidationError({"delivered_on": f"Дата доставки — с {ru_date(today)} по {ru_date(latest)}."})


def restriction_send(*, organisation, operator, account_ids, delivery: str, delivered_on: dt.date | None,
                     today: dt.date | None = None) -> tuple[list[DebtNotice], int]:  # fmt: skip
    """A warning to each selected debtor of the organisation owing more than two months' charges. Returns the
    warnings written and how many selected were skipped (owing less, no debt, or not the organisation's)."""
    today = today or organisation.today()
    check_delivery(delivery, delivered_on, today)
    ids = list(dict.fromkeys(account_ids))
    period = office_money.last_published(organisation)
    rows = debtors_rule.debtors(organisation, debtors_rule.Filters()).filter(
        account_id__in=ids, months__gt=debtors_rule.RESTRICTION_MONTHS
    )
    due = dates(organisation, delivered_on)
    with transaction.atomic():
        made = [_warning(organisation, operator, row, today, delivery, delivered_on, due, period) for row in rows]
    return made, len(ids) - len(made)


def _warning(organisation, operator, row, today, delivery, delivered_on, due: Dates, period) -> DebtNotice:
    notice = DebtNotice.objects.create(
        organisation=organisation, account=row.account, kind=DebtNotice.Kind.RESTRICTION,
        debt=Decimal(row.debt).quantize(Decimal("0.01")), issued_on=today, pay_by=due.pay_by, delivery=delivery,
        delivered_on=delivered_on, billed_through=period.month if period else None, created_by=operator,
    )  # fmt: skip
    log(organisation=organisation, actor=operator, kind=OfficeAction.Kind.NOTICE_RESTRICTION, account=row.account,
        details=f"Предупреждение № {notice.pk}, долг {money(notice.debt)}, оплатить до {ru_date(due.pay_by)}")  # fmt: skip
    return notice


def text_of(notice: DebtNotice, organisation) -> list[str]:
    """The warning's paragraphs."""
    account = notice.account
    billed = f"начисления по {month_label(notice.billed_through)} включительно, " if notice.billed_through else ""
    restrict_from = notice.pay_by + dt.timedelta(days=1)
    delivered = ru_date(notice.delivered_on) if notice.delivered_on else "дата вручения"
    return [
        f"По состоянию на {ru_date(notice.issued_on)} задолженность по оплате коммунальных услуг по лицевому счёту "
        f"№ {account.number} составляет {money(notice.debt)} ({billed}оплаты по {ru_date(notice.issued_on)}). "
        "Это больше суммы двух месячных размеров платы за коммунальную услугу (п. 117, 118 Правил предоставления "
        "коммунальных услуг, утв. постановлением Правительства РФ от 06.05.2011 № 354).",
        f"В соответствии с подпунктом «а» п. 119 Правил предупреждаем: если задолженность не будет погашена в течение "
        f"{PAY_WITHIN_DAYS} дней со дня доставки настоящего предупреждения, то есть до {ru_date(notice.pay_by)} "
        f"включительно, с {ru_date(restrict_from)} предоставление коммунальной услуги может быть ограничено, а при "
        "отсутствии технической возможности ограничения — приостановлено. Если задолженность не будет погашена в "
        f"течение {SUSPEND_AFTER_DAYS} дней со дня введения ограничения, предоставление услуги будет приостановлено "
        "(подпункт «в» п. 119 Правил).",
        f"Способ доставки: {notice.get_delivery_display() or '—'}. Дата доставки: {delivered}. Срок исчисляется со "
        "дня, следующего за днём доставки; если последний день срока нерабочий, он переносится на ближайший "
        "рабочий день (ст. 191, 193 ГК РФ).",
        "Расходы исполнителя на введение ограничения, приостановление и возобновление предоставления коммунальной "
        "услуги возмещаются потребителем (п. 121(1) Правил). Оплатить задолженность можно в личном кабинете, в "
        f"кассе или в банке; справки по телефону {organisation.phone}.",
    ]


def warnings_pdf(notices, organisation) -> bytes:
    """The warnings, one a page, for printing, handing over or posting."""
    pdf = new_pdf()
    for notice in notices:
        pdf.add_page()
        letter_head(pdf, notice, organisation,
                    "Предупреждение (уведомление) о приостановлении или ограничении предоставления коммунальной "
                    "услуги")  # fmt: skip
        pdf.set_font(FONT, "", 11)
        pdf.ln(2)
        pdf.multi_cell(0, 6, f"№ {notice.pk} от {ru_date(notice.issued_on)}", align="C")
        for paragraph in text_of(notice, organisation):
            pdf.ln(3)
            pdf.multi_cell(0, 6, paragraph)
        pdf.ln(10)
        pdf.multi_cell(0, 6, f"{organisation.short_name or organisation.name}  ______________  / подпись /")
        pdf.ln(6)
        pdf.multi_cell(0, 6, "Предупреждение получил(а): ______________  «___» ____________ 20___ г.")
    return bytes(pdf.output())
