"""СБП in the sandbox: the pay page's "Оплатить по СБП" shows a QR code and the bank app's link, the sandbox's bank
side confirms, and the signed notification credits the payment exactly once; a forged signature or another amount
credits nothing."""

import io
from decimal import Decimal as D

import pytest
import segno
import zxingcpp
from django.urls import reverse
from PIL import Image

from abonent.billing.models import LedgerEntry
from abonent.payments.models import FiscalReceipt, Payment, SandboxCharge
from abonent.payments.providers import sandbox
from abonent.testing import factories as f

from .conftest import debt, indebted_account
from .helpers import subscriber

pytestmark = pytest.mark.django_db


def start_sbp(client, account, amount="1500,00"):
    r = client.post(
        reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": amount, "method": "sbp"}
    )
    assert r.status_code == 302
    return Payment.objects.get(account=account), r["Location"]


def post(client, body, signature):
    return client.post(
        reverse("payments:notify", args=["sandbox"]),
        data=body,
        content_type="application/json",
        **{sandbox.SIGNATURE_HEADER: signature},
    )


def test_qr_and_deep_link_then_the_bank_confirms(client, django_capture_on_commit_callbacks):
    account = indebted_account()
    subscriber(client, account)
    payment, location = start_sbp(client, account)
    assert payment.channel == Payment.Channel.SBP and location == reverse("payments:sbp", args=[payment.order])
    page = client.get(location).content.decode()
    bank_page = reverse("payments:sandbox_sbp", args=[payment.provider_payment_id])
    assert payment.sbp_payload.endswith(bank_page)
    assert f'href="{payment.sbp_payload}"' in page and "Открыть приложение банка" in page and "<svg" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(bank_page, {"answer": "confirm"})
    assert r.status_code == 302 and r["Location"].endswith(reverse("payments:result", args=[payment.order]))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED and debt(account) == D("0.00")
    assert FiscalReceipt.objects.get(order=payment.order).status == "registered"
    # the notification again, and again: nothing more
    body = sandbox.notification(payment.provider_payment_id, "succeeded", amount=D("1500.00"))
    for _ in range(2):
        assert post(client, body, sandbox.sign(body)).status_code == 200
    assert LedgerEntry.objects.filter(account=account, kind="payment").count() == 1
    # the SBP page of a finished order goes to the result
    assert client.get(location).status_code == 302


def test_sbp_qr_reads_back_as_the_link(client):
    account = indebted_account()
    subscriber(client, account)
    payment, location = start_sbp(client, account)
    buffer = io.BytesIO()
    segno.make(payment.sbp_payload, error="m").save(buffer, kind="png", scale=5, border=2)
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))[0].text == payment.sbp_payload
    assert payment.sbp_payload.split("/")[-2] == payment.provider_payment_id


def test_another_users_sbp_page_is_404(client):
    account = indebted_account()
    subscriber(client, account)
    _, location = start_sbp(client, account)
    client.force_login(f.UserFactory())
    assert client.get(location).status_code == 404


def test_forged_signature_refused_nothing_credited(client):
    account = indebted_account()
    subscriber(client, account)
    payment, _ = start_sbp(client, account)
    SandboxCharge.objects.filter(token=payment.provider_payment_id).update(status="succeeded")
    body = sandbox.notification(payment.provider_payment_id, "succeeded", amount=D("1500.00"))
    assert post(client, body, "0" * 64).status_code == 403
    assert post(client, body, "").status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING and debt(account) == D("1500.00")


def test_amount_mismatch_refused_nothing_credited(client):
    account = indebted_account()
    subscriber(client, account)
    payment, _ = start_sbp(client, account)
    body = sandbox.notification(payment.provider_payment_id, "succeeded", amount=D("15.00"))
    assert post(client, body, sandbox.sign(body)).status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING and debt(account) == D("1500.00")
    assert not LedgerEntry.objects.filter(account=account, kind="payment").exists()


def test_declined_in_the_bank_app(client, django_capture_on_commit_callbacks):
    account = indebted_account()
    subscriber(client, account)
    payment, _ = start_sbp(client, account)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:sandbox_sbp", args=[payment.provider_payment_id]), {"answer": "decline"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED and debt(account) == D("1500.00")
