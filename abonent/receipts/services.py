"""Writes of receipts: the e-mail mailing of a published period and the printing house's export."""

import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from abonent.billing.models import AccountBalance, BillingPeriod
from abonent.billing.penalties import due_date
from abonent.billing.selectors import PUBLISHED
from abonent.lib.site import site_url
from abonent.notifications.models import Kind
from abonent.notifications.selectors import opted_out_user_ids
from abonent.users.models import AccountLink
from abonent.users.services import account_link_set_receipts

from . import issued, pdf, pdf_split, selectors
from .models import ReceiptDelivery

log = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "receipts.unsubscribe"
CHUNK = 500

Progress = Callable[[int], None]


class ReceiptError(Exception):
    pass


def _published(period: BillingPeriod) -> None:
    if period.state != PUBLISHED:
        raise ReceiptError("Период не опубликован: квитанций ещё нет.")


def receipt_chunks(*, period: BillingPeriod, account_ids: list[int] | None = None) -> Iterator[list]:
    """The period's receipts in chunks, each read in a fixed number of queries."""
    _published(period)
    if account_ids is None:
        account_ids = list(
            AccountBalance.objects.filter(period=period)
            .order_by("account__number")
            .values_list("account_id", flat=True)
        )
    for start in range(0, len(account_ids), CHUNK):
        yield selectors.receipts_for(period=period, account_ids=account_ids[start : start + CHUNK])


def receipts_issue(*, period: BillingPeriod) -> None:
    """For the billing publish step, inside its transaction: store what every receipt of the period shares as of
    publish (the payee's details, the services, the due date, the нормативы, the houses' figures: IssuedPeriod).
    The receipts' own documents are written once the publish has committed (receipts_issue_documents)."""
    issued.issue_period(period, due_date(period.organisation, period.month))


def receipts_issue_documents(*, period: BillingPeriod) -> int:
    """Store every receipt of a published period not stored yet as the document it is (issued.issue_documents):
    one INSERT … SELECT on PostgreSQL, chunks read in a fixed number of queries elsewhere. Run after the publish
    commits and by a rerun of the publish step; returns how many were stored."""
    return issued.issue_documents(period, None, selectors.register_sources)


def receipts_export(*, period: BillingPeriod, fmt: str, progress: Progress | None = None) -> bytes:
    """All receipts of a period for the printing house: one merged PDF (a page per receipt) or a ZIP of PDFs."""
    if fmt == "pdf":
        document = pdf.new_document()
        for chunk in receipt_chunks(period=period):
            for receipt in chunk:
                pdf.draw(document, receipt)
            if progress:
                progress(len(chunk))
        return bytes(document.output())
    if fmt == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
            for chunk in receipt_chunks(period=period):
                for receipt, data in zip(chunk, pdf.render_separate(chunk), strict=True):
                    archive.writestr(f"{receipt.account.number}-{receipt.slug}.pdf", data)
                if progress:
                    progress(len(chunk))
        return buf.getvalue()
    raise ReceiptError(f"Неизвестный формат: {fmt}")


def unsubscribe_token(link: AccountLink) -> str:
    return signing.dumps({"l": link.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_link(token: str) -> AccountLink | None:
    """The link a token names; None for a bad token or a link removed since."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return AccountLink.objects.filter(pk=data.get("l")).select_related("account").first()


def receipts_unsubscribe(*, token: str) -> AccountLink | None:
    """Turn the receipts e-mails of the token's link off."""
    link = unsubscribe_link(token)
    if link is not None:
        account_link_set_receipts(link=link, by_email=False)
    return link


def _claim(link: AccountLink, period: BillingPeriod) -> ReceiptDelivery | None:
    """Create the delivery row before sending; an existing row means it was sent (or may have been) already,
    except a recorded failure, which is known not to have gone out and is tried again."""
    try:
        with transaction.atomic():
            return ReceiptDelivery.objects.create(
                user_id=link.user_id, account_id=link.account_id, period=period, email=link.user.email
            )
    except IntegrityError:
        claimed = ReceiptDelivery.objects.filter(
            user_id=link.user_id, account_id=link.account_id, period=period, status=ReceiptDelivery.Status.FAILED
        ).update(status=ReceiptDelivery.Status.CLAIMED, claimed_at=timezone.now(), error="", email=link.user.email)
        if claimed:
            return ReceiptDelivery.objects.get(user_id=link.user_id, account_id=link.account_id, period=period)
        return None


def _message(link: AccountLink, receipt: selectors.Receipt, attachment: bytes) -> EmailMultiAlternatives:
    unsubscribe = site_url() + reverse("receipts:unsubscribe", args=[unsubscribe_token(link)])
    context = {"SITE_NAME": "Абонент", "r": receipt, "unsubscribe": unsubscribe}
    subject = render_to_string("receipts/email/receipt_subject.txt", context).strip()
    text = render_to_string("receipts/email/receipt_body.txt", context)
    html = render_to_string("receipts/email/receipt_body.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [link.user.email], headers={"List-Unsubscribe": f"<{unsubscribe}>"}
    )
    message.attach_alternative(html, "text/html")
    message.attach(f"receipt-{receipt.account.number}-{receipt.slug}.pdf", attachment, "application/pdf")
    return message


def receipts_send(
    *, period: BillingPeriod, progress: Progress | None = None, account_ids: list[int] | None = None
) -> dict[str, int]:
    """E-mail the period's receipt to every subscribed user of every account (the account's subscription in the
    profile, unless the user turned receipt e-mails off in the notification settings), once per user, account and
    period.

    Resumable: a rerun skips what was claimed before. `account_ids`: only these accounts (a chunk of the mailing
    job, receipts.tasks). Called by the operator's command and by the mailing job started after publishing.
    """
    _published(period)
    links = mailing_links(period, account_ids)
    by_account: dict[int, list[AccountLink]] = {}
    for link in links:
        by_account.setdefault(link.account_id, []).append(link)
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for chunk in receipt_chunks(period=period, account_ids=sorted(by_account)):
        _send_chunk(period, chunk, by_account, counts)
        if progress:
            progress(len(chunk))
    return counts


def _send_chunk(period: BillingPeriod, chunk: list, by_account: dict[int, list[AccountLink]], counts: dict) -> None:
    """Mail a chunk's receipts. The PDFs of the receipts still to send are drawn together first
    (pdf.render_separate: a file each, the font subset once for the chunk), so a resumed mailing draws only what is
    left and a failed drawing claims nothing."""
    claimed = _claimed(period, [receipt.account.pk for receipt in chunk])
    pending = [r for r in chunk if any((lk.user_id, lk.account_id) not in claimed for lk in by_account[r.account.pk])]
    files = dict(zip([r.account.pk for r in pending], pdf.render_separate(pending), strict=True))
    # One SMTP connection for the chunk's letters (with a relay over TLS a connection a letter costs more than the
    # letter); each letter is still claimed right before it goes.
    connection = _smtp()
    try:
        for receipt in chunk:
            for link in by_account[receipt.account.pk]:
                if (link.user_id, link.account_id) in claimed:
                    counts["skipped"] += 1
                else:
                    message = _message(link, receipt, files[receipt.account.pk])
                    message.connection = connection
                    counts[_send_one(link, message, period)] += 1
    finally:
        connection.close()


def _smtp():
    """The mail connection, open if the server answers; if not, each letter tries on its own and its failure is
    recorded (tried again on the next run), as with a connection a letter."""
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # SMTP and socket errors of every kind
        log.warning("mail server unavailable: %s", exc)
    return connection


def mailing_links(period: BillingPeriod, account_ids: list[int] | None = None) -> list[AccountLink]:
    """Who gets the period's receipt by e-mail, per account."""
    links = (
        AccountLink.objects.filter(
            receipts_by_email=True,
            account__organisation_id=period.organisation_id,
            user__is_active=True,
        )
        .exclude(user__email="")
        # «Квитанция готова» turned off in the notification settings stops them for every account of the user.
        .exclude(user_id__in=opted_out_user_ids(Kind.RECEIPT))
        .select_related("user")
        .order_by("account_id", "user_id")
    )
    if account_ids is not None:
        links = links.filter(account_id__in=account_ids)
    return list(links)


def _claimed(period: BillingPeriod, account_ids: list[int]) -> set[tuple[int, int]]:
    """The chunk's letters sent or claimed before (a rerun skips them without drawing their PDFs)."""
    rows = ReceiptDelivery.objects.filter(period=period, account_id__in=account_ids).exclude(
        status=ReceiptDelivery.Status.FAILED
    )
    return set(rows.values_list("user_id", "account_id"))


def _send_one(link: AccountLink, message: EmailMultiAlternatives, period: BillingPeriod) -> str:
    # The letter (its PDF: most of the time) is made before the claim, so a worker killed while drawing leaves
    # nothing claimed and the rerun sends it; only a kill during the SMTP exchange itself leaves a claim that
    # may or may not have gone out, and it is not sent again.
    delivery = _claim(link, period)
    if delivery is None:
        return "skipped"
    try:
        message.send()
    except Exception as exc:  # SMTP errors of every kind: recorded, tried again on the next run
        log.warning("receipt e-mail to %s failed: %s", link.user.email, exc)
        message.connection.close()  # the next letter opens a fresh one: this one may be broken
        delivery.status, delivery.error = ReceiptDelivery.Status.FAILED, str(exc)[:1000]
        delivery.save(update_fields=["status", "error"])
        return "failed"
    delivery.status, delivery.sent_at = ReceiptDelivery.Status.SENT, timezone.now()
    delivery.save(update_fields=["status", "sent_at"])
    return "sent"


def export_part(*, period: BillingPeriod, fmt: str, account_ids: list[int]) -> bytes:
    """One chunk of the printing house's export: a PDF with a page per receipt, or a ZIP of separate PDFs."""
    receipts = [r for chunk in receipt_chunks(period=period, account_ids=account_ids) for r in chunk]
    if fmt == "pdf":
        return pdf.render(receipts) if receipts else b""
    if fmt == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
            for receipt, data in zip(receipts, pdf.render_separate(receipts), strict=True):
                archive.writestr(f"{receipt.account.number}-{receipt.slug}.pdf", data)
        return buf.getvalue()
    raise ReceiptError(f"Неизвестный формат: {fmt}")


def export_join(fmt: str, parts: Iterable[bytes], out: BinaryIO) -> None:
    """The chunks' parts written to `out` as one file, in the chunks' order (accounts by number), one part in memory
    at a time: a city's merged PDF is ≈ 10 KiB a page, a gigabyte for 100 000 receipts (docs/BENCHMARKS.md, «Jobs»).
    The PDF parts are joined by pdf_split (their objects copied, renumbered), not re-read as pypdf objects."""
    if fmt == "pdf":
        pdf_split.join((part for part in parts if part), out)
        return
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for part in parts:
            with zipfile.ZipFile(io.BytesIO(part)) as piece:
                for info in piece.infolist():
                    archive.writestr(info, piece.read(info))


def export_accounts(period: BillingPeriod) -> list[int]:
    _published(period)
    return list(
        AccountBalance.objects.filter(period=period).order_by("account__number").values_list("account_id", flat=True)
    )
