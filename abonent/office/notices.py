"""Letters to debtors: the pre-court notice (досудебное уведомление) and the warning of a restriction of the
service (ПП 354 п.117–119), recorded on each account (DebtNotice) and in the office's log.

ПП 354 п.119(а): the warning is delivered to the consumer, and the service may be restricted if the debt is not
paid within 20 days of delivery; the pre-court notice gives the same 20 days before the claim goes to court.
The pre-court notice is e-mailed to every subscriber who linked the account and has an e-mail address; both are
printable as PDF. The warning's own rule — who may get it, its dates, its text — is office/restriction.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from fpdf import FPDF

from abonent.lib.dates import ru_date
from abonent.lib.numbers import money
from abonent.receipts.pdf import FONT, font_files
from abonent.users.models import AccountLink

from . import debtors as debtors_rule
from .models import DebtNotice, OfficeAction
from .services import log

PAY_WITHIN_DAYS = 20


def _emails(account) -> list[str]:
    return sorted(
        {
            e
            for e in AccountLink.objects.filter(account=account, user__is_active=True).values_list(
                "user__email", flat=True
            )
            if e
        }
    )


def notices_send(*, organisation, operator, account_ids, kind: str = DebtNotice.Kind.PRETRIAL) -> list[DebtNotice]:
    """A letter to each selected debtor of the organisation (others and accounts with no debt are skipped)."""
    today = organisation.today()
    rows = debtors_rule.debtors(organisation, debtors_rule.Filters()).filter(account_id__in=list(account_ids))
    made = []
    with transaction.atomic():
        for row in rows:
            made.append(_notice(organisation, operator, row, kind, today))
    return made


def _notice(organisation, operator, row, kind, today: dt.date) -> DebtNotice:
    account = row.account
    to = _emails(account) if kind == DebtNotice.Kind.PRETRIAL else []
    notice = DebtNotice.objects.create(
        organisation=organisation, account=account, kind=kind, debt=Decimal(row.debt).quantize(Decimal("0.01")),
        issued_on=today, pay_by=today + dt.timedelta(days=PAY_WITHIN_DAYS), emailed_to=", ".join(to),
        created_by=operator,
    )  # fmt: skip
    action = (
        OfficeAction.Kind.NOTICE_PRETRIAL if kind == DebtNotice.Kind.PRETRIAL else OfficeAction.Kind.NOTICE_RESTRICTION
    )
    log(organisation=organisation, actor=operator, kind=action, account=account,
        details=f"Письмо № {notice.pk}, долг {money(notice.debt)}")  # fmt: skip
    if to:
        text = render_to_string("office/email/pretrial.txt", {"notice": notice, "organisation": organisation})
        subject = f"Уведомление о задолженности по лицевому счёту {account.number}"
        transaction.on_commit(lambda: send_mail(subject, text, None, to))
    return notice


def new_pdf() -> FPDF:
    """An A4 document with the receipts' fonts (Cyrillic, extractable text) and a letter's margins."""
    pdf = FPDF(format="A4", unit="mm")
    for style, path in font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(20, 20, 20)
    return pdf


def letters_pdf(notices, organisation) -> bytes:
    """The pre-court letters, one a page, for printing and posting."""
    pdf = new_pdf()
    for notice in notices:
        pdf.add_page()
        _letter(pdf, notice, organisation)
    return bytes(pdf.output())


def letter_head(pdf: FPDF, notice: DebtNotice, organisation, title: str) -> None:
    """The sender, the addressee (payer, address, account) and the title of a letter to a debtor."""
    account = notice.account
    address = f"{account.premises.building.address}, кв. {account.premises.number}"
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, f"{organisation.name}\n{organisation.legal_address}\nтел. {organisation.phone}")
    pdf.ln(6)
    pdf.multi_cell(0, 5, f"{account.payer_name}\n{address}\nлицевой счёт № {account.number}", align="R")
    pdf.ln(8)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, title, align="C")


def _letter(pdf: FPDF, notice: DebtNotice, organisation) -> None:
    letter_head(pdf, notice, organisation, "Досудебное уведомление о задолженности")
    pdf.set_font(FONT, "", 11)
    pdf.ln(4)
    pdf.multi_cell(
        0, 6, render_to_string("office/email/pretrial.txt", {"notice": notice, "organisation": organisation})
    )
    pdf.ln(6)
    pdf.multi_cell(0, 6, f"№ {notice.pk} от {ru_date(notice.issued_on)}")
