"""One e-mail per subscribed user and account, with the PDF; a rerun sends nothing twice; unsubscribe works."""

import io
import re
import zipfile

import pypdf
import pytest
from django.core import mail
from django.core.management import call_command

from abonent.notifications.models import Kind
from abonent.notifications.services import notification_set
from abonent.receipts import services, tasks
from abonent.receipts.models import ReceiptDelivery
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(published):
    subscribed = f.AccountLinkFactory(account=published["account"], receipts_by_email=True)
    f.AccountLinkFactory(account=published["account"], receipts_by_email=False)
    return subscribed


def test_send_once_with_pdf_and_unsubscribe(client, published, links):
    counts = services.receipts_send(period=published["october"])
    assert counts == {"sent": 1, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [links.user.email]
    name, content, mimetype = message.attachments[0]
    assert (
        mimetype == "application/pdf"
        and published["account"].number in pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    )
    # A rerun (say, after a crash) sends nothing again.
    call_command("send_receipts", org=published["org"].code, period="2026-10", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    assert ReceiptDelivery.objects.get().status == ReceiptDelivery.Status.SENT

    url = re.search(r"http://\S+/receipts/unsubscribe/\S+/", message.body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    links.refresh_from_db()
    assert links.receipts_by_email  # GET only asks
    client.post(f"/{path}")
    links.refresh_from_db()
    assert not links.receipts_by_email
    assert "недействительна" in client.get("/receipts/unsubscribe/forged/").content.decode()


def test_claimed_row_is_not_resent_but_failure_is(published, links):
    period = published["october"]
    row = ReceiptDelivery.objects.create(user=links.user, account=links.account, period=period, email="x@example.ru")
    assert services.receipts_send(period=period)["skipped"] == 1
    assert mail.outbox == []
    row.status = ReceiptDelivery.Status.FAILED
    row.save()
    assert services.receipts_send(period=period)["sent"] == 1
    assert len(mail.outbox) == 1


def test_unpublished_period_is_refused(published, links):
    with pytest.raises(services.ReceiptError):
        services.receipts_send(period=published["november"])


def test_export_pdf_and_zip(published, tmp_path):
    out = tmp_path / "all.pdf"
    call_command(
        "export_receipts",
        org=published["org"].code,
        period="2026-10",
        format="pdf",
        output=str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    numbers = sorted([published["account"].number, published["second"].number])
    reader = pypdf.PdfReader(out)
    assert [n for page, n in zip(reader.pages, numbers, strict=True) if n in page.extract_text()] == numbers
    data = services.receipts_export(period=published["october"], fmt="zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == [f"{n}-2026-10.pdf" for n in numbers]
    for name, number, other in zip(archive.namelist(), numbers, reversed(numbers), strict=True):
        text = pypdf.PdfReader(io.BytesIO(archive.read(name)), strict=True).pages[0].extract_text()
        assert number in text and other not in text  # a file per receipt, cut from the chunk's document


def test_after_publish_hook_mails_on_commit_only(published, links, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.mailing_after_publish(period=published["october"])
        assert mail.outbox == []
    assert len(mail.outbox) == 1


def test_notification_settings_turn_receipt_emails_off_and_on(published, links):
    """A user subscribed on the account who turned «Квитанция готова» off in the notification settings gets no
    receipt; once it is on again, the next run sends it."""
    period = published["october"]
    notification_set(user=links.user, kind=Kind.RECEIPT, enabled=False)
    other = f.AccountLinkFactory(account=published["second"], receipts_by_email=True)
    assert services.receipts_send(period=period) == {"sent": 1, "skipped": 0, "failed": 0}
    assert [m.to for m in mail.outbox] == [[other.user.email]]
    assert not ReceiptDelivery.objects.filter(user=links.user).exists()

    notification_set(user=links.user, kind=Kind.RECEIPT, enabled=True)
    assert services.receipts_send(period=period) == {"sent": 1, "skipped": 1, "failed": 0}
    assert mail.outbox[-1].to == [links.user.email]
