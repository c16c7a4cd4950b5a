"""YooKassa with receipts, СБП, a recurring charge with a saved method, refunds and the day's list, against the
local server replaying recorded exchanges (yookassa_replay): the SDK's own types, HTTP client and parsing run."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from abonent.billing import cycle
from abonent.billing.models import LedgerEntry, Service
from abonent.payments import autopay, reconciliation, refunds, services
from abonent.payments.models import (
    AutoPay,
    AutoPayCharge,
    FiscalReceipt,
    FiscalSettings,
    Payment,
    Refund,
    ServiceFiscal,
    VatCode,
)
from abonent.testing import factories as f

from .conftest import MONTH, debt, indebted_account
from .yookassa_replay import PAYMENT_ID, RECORDED

pytestmark = pytest.mark.django_db


def notify(client):
    body = (RECORDED / "notification_succeeded.json").read_bytes()
    return client.post(reverse("payments:notify", args=["yookassa"]), data=body, content_type="application/json")


def start(client, account, amount="1500,00", **extra):
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client.force_login(user)
    data = {f"pay_{account.pk}": "on", f"amount_{account.pk}": amount, "method": "card", **extra}
    r = client.post(reverse("payments:pay"), data)
    assert r.status_code == 302, r.content.decode()[:1000]
    return user, r


def paid(client, yookassa, capture, account, state="payment_succeeded", **extra):
    user, _ = start(client, account, **extra)
    yookassa.state = state
    with capture(execute=True):
        assert notify(client).status_code == 200
    return user, Payment.objects.get(account=account)


def test_payment_request_carries_the_receipt_built_with_the_sdk_types(client, yookassa):
    account = indebted_account()
    org = account.organisation
    FiscalSettings.objects.create(organisation=org, items=FiscalSettings.Items.SERVICES)
    ServiceFiscal.objects.create(
        service=Service.objects.get(organisation=org, code="fixed"),
        vat_code=VatCode.VAT20,
        supplier_name="ПАО «Теплосеть»",
        supplier_inn="7701234567",
        supplier_phone="+74951234567",
    )
    user, _ = start(client, account)
    (body,) = yookassa.posted("/v3/payments")
    receipt = body["receipt"]
    assert receipt["customer"] == {"email": user.email, **({"phone": user.phone} if user.phone else {})}
    (item,) = receipt["items"]
    assert item["amount"] == {"value": "1500.00", "currency": "RUB"}
    assert (item["payment_mode"], item["payment_subject"], item["vat_code"]) == ("full_payment", "service", 4)
    assert item["agent_type"] == "payment_agent"
    assert item["supplier"] == {"name": "ПАО «Теплосеть»", "inn": "7701234567", "phone": "+74951234567"}


def test_fiscal_data_read_from_the_answer_and_mailed(client, yookassa, django_capture_on_commit_callbacks):
    account = indebted_account()
    user, payment = paid(client, yookassa, django_capture_on_commit_callbacks, account)
    assert payment.status == Payment.Status.CREDITED
    receipt = FiscalReceipt.objects.get(order=payment.order)
    assert (receipt.fn, receipt.fd, receipt.fp) == ("9288000100115785", "3986", "2617603921")
    assert receipt.registered_at == dt.datetime(2026, 11, 23, 10, 21, 12, tzinfo=dt.UTC)
    assert ("GET", f"/v3/receipts?payment_id={PAYMENT_ID}") in [(m, p) for m, p, _, _ in yookassa.requests]
    (letter,) = [m for m in mail.outbox if m.subject.startswith("Кассовый чек")]
    assert letter.to == [user.email] and "fn=9288000100115785&i=3986&fp=2617603921&n=1" in letter.body


def test_sbp_shows_the_qr_and_is_credited_once(client, yookassa, django_capture_on_commit_callbacks):
    account = indebted_account()
    user, r = start(client, account, method="sbp")
    (body,) = yookassa.posted("/v3/payments")
    assert body["payment_method_data"] == {"type": "sbp"} and body["confirmation"] == {"type": "qr"}
    payment = Payment.objects.get()
    assert payment.channel == Payment.Channel.SBP and r["Location"] == reverse("payments:sbp", args=[payment.order])
    page = client.get(r["Location"]).content.decode()
    assert "<svg" in page and 'href="https://qr.nspk.ru/AS1A0054BQNF5O7T8L1OJ2ACIP5E0CTO?type=02&amp;' in page
    yookassa.state = "payment_succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert notify(client).status_code == 200
    assert Payment.objects.get().status == Payment.Status.CREDITED
    assert LedgerEntry.objects.filter(account=account, kind="payment").count() == 1
    assert FiscalReceipt.objects.get().fd == "3986"
    # another subscriber's СБП page is not there
    client.force_login(f.UserFactory())
    assert client.get(r["Location"]).status_code == 404


def test_amount_mismatch_in_the_answer_credits_nothing(client, yookassa):
    account = indebted_account()
    start(client, account, amount="1000,00")  # the recorded payment says 1500.00
    yookassa.state = "payment_succeeded"
    assert notify(client).status_code == 403
    assert Payment.objects.get().status == Payment.Status.PROCESSING
    assert debt(account) == D("1500.00")


def test_refund_with_receipt(client, yookassa, django_capture_on_commit_callbacks):
    account = indebted_account()
    user, payment = paid(client, yookassa, django_capture_on_commit_callbacks, account)
    operator = f.UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.refund_create(payment=payment, amount=D("500.00"), reason="Ошибочная сумма", actor=operator)
    (body,) = yookassa.posted("/v3/refunds")
    assert body["payment_id"] == PAYMENT_ID and body["amount"] == {"value": "500.00", "currency": "RUB"}
    assert body["receipt"]["items"][0]["amount"] == {"value": "500.00", "currency": "RUB"}
    assert body["receipt"]["customer"]["email"] == user.email
    assert refund.provider_refund_id == "2c7a7c10-0015-5000-8000-1c2d3e4f5a6b"
    back = FiscalReceipt.objects.get(refund=refund)
    assert (back.kind, back.fd, back.fp, back.total) == ("refund", "3991", "1044218837", D("500.00"))
    assert debt(account) == D("500.00")
    assert [m for m in mail.outbox if "(возврат)" in m.subject]


def test_refund_refused_by_yookassa_changes_nothing(client, yookassa, django_capture_on_commit_callbacks):
    account = indebted_account()
    _, payment = paid(client, yookassa, django_capture_on_commit_callbacks, account)
    yookassa.refund_answer = "refund_refused"
    with pytest.raises(services.PaymentError, match="ЮKassa отказала в возврате"):
        refunds.refund_create(payment=payment, amount=D("500.00"), reason="Ошибка", actor=None)
    assert not Refund.objects.exists() and debt(account) == D("0.00")
    assert FiscalReceipt.objects.filter(kind="refund").count() == 0


def test_recurring_charge_with_the_saved_method(client, yookassa, django_capture_on_commit_callbacks):
    account = indebted_account()
    user, payment = paid(
        client, yookassa, django_capture_on_commit_callbacks, account, state="payment_succeeded_saved", save_method="on"
    )
    assert yookassa.posted("/v3/payments")[0]["save_payment_method"] is True
    assert payment.method_id == PAYMENT_ID  # the provider's id of the card: all we keep
    ap = autopay.autopay_enable(
        user=user, account_id=account.pk, method_payment_id=payment.pk, mode="on_receipt", limit_text="3000"
    )
    november = MONTH.replace(month=11)
    cycle.period_close(organisation=account.organisation, month=november)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert autopay.autopay_run(today=today)["announced"] == 1
    row = AutoPayCharge.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert autopay.autopay_run(today=row.charge_on)["charged"] == 1
    charge_body = yookassa.posted("/v3/payments")[-1]
    assert charge_body["payment_method_id"] == PAYMENT_ID and charge_body["amount"]["value"] == "1500.00"
    assert "confirmation" not in charge_body and charge_body["receipt"]["items"][0]["payment_subject"] == "service"
    charged = Payment.objects.get(pk=AutoPayCharge.objects.get().payment_id)
    assert charged.status == Payment.Status.CREDITED and charged.provider_payment_id.startswith("2c7a6b01")
    assert AutoPay.objects.get(pk=ap.pk).active
    assert FiscalReceipt.objects.filter(payment=charged, status="registered").exists()


def test_reconciliation_against_the_days_list(client, yookassa, django_capture_on_commit_callbacks):
    account = indebted_account()
    _, payment = paid(client, yookassa, django_capture_on_commit_callbacks, account)
    report = reconciliation.reconcile(day=timezone.localdate(payment.created_at), provider_name="yookassa")
    assert (report.provider_count, report.our_count) == (2, 1)
    assert report.missing_ours == [{"id": "2c7a9d22-000f-5000-8000-2d3e4f5a6b7c", "amount": "820.00"}]
    assert report.missing_provider == [] and report.mismatches == []
    (listing,) = [p for m, p, _, _ in yookassa.requests if m == "GET" and p.startswith("/v3/payments?")]
    assert "status=succeeded" in listing and "created_at.gte=" in listing
    assert json.loads((RECORDED / "payments_list.json").read_text())["items"][0]["id"] == PAYMENT_ID


def test_amount_mismatch_on_the_payers_return_credits_nothing(client, yookassa):
    account = indebted_account()
    start(client, account, amount="1000,00")
    yookassa.state = "payment_succeeded"  # 1500.00 at the API
    page = client.get(reverse("payments:result", args=[Payment.objects.get().order]))
    assert page.status_code == 200 and "В обработке" in page.content.decode()
    assert Payment.objects.get().status == Payment.Status.PROCESSING and debt(account) == D("1500.00")
