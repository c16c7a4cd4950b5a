"""54-ФЗ receipts in the sandbox: the emulated fiscal drive numbers each receipt, the payer gets it by e-mail with
the tax service's check QR code, «Мои платежи» lists it and only its payer can open it."""

import io
import re
from decimal import Decimal as D

import pytest
import zxingcpp
from django.core import mail
from django.urls import reverse
from PIL import Image

from abonent.billing.models import Service
from abonent.payments import fiscal
from abonent.payments.models import FiscalReceipt, FiscalSettings, Payment, ServiceFiscal, VatCode
from abonent.payments.providers import fiscal_drive
from abonent.testing import factories as f

from .conftest import indebted_account
from .helpers import pay_by_card, subscriber

pytestmark = pytest.mark.django_db
CHECK = re.compile(r"^t=\d{8}T\d{4}&s=\d+\.\d{2}&fn=\d{16}&i=\d+&fp=\d{10}&n=1$")


def test_card_payment_gets_a_registered_receipt_emailed_with_the_check_qr(client, django_capture_on_commit_callbacks):
    account = indebted_account()
    user = subscriber(client, account)
    payment = pay_by_card(client, django_capture_on_commit_callbacks, account)
    assert payment.status == Payment.Status.CREDITED
    receipt = FiscalReceipt.objects.get(order=payment.order)
    assert receipt.status == FiscalReceipt.Status.REGISTERED
    assert receipt.kind == FiscalReceipt.Kind.INCOME and receipt.total == D("1500.00")
    assert receipt.fn == fiscal_drive.DEFAULT_FN and receipt.fd == "1" and len(receipt.fp) == 10
    assert receipt.items == [
        {
            "description": f"Оплата ЖКУ по л/с № {account.number} за октябрь 2026",
            "amount": "1500.00",
            "vat_code": 1,
            "vat": "без НДС",
            "supplier_name": "",
            "supplier_inn": "",
            "supplier_phone": "",
        }
    ]
    payload = fiscal.check_payload(receipt)
    assert CHECK.match(payload), payload
    assert f"s=1500.00&fn={receipt.fn}&i=1&fp={receipt.fp}&n=1" in payload
    letters = [m for m in mail.outbox if m.subject.startswith("Кассовый чек")]
    assert len(letters) == 1 and letters[0].to == [user.email]
    body = letters[0].body
    assert f"ФН {receipt.fn}  ФД 1  ФП {receipt.fp}" in body and payload in body
    name, png, mime = letters[0].attachments[0]
    assert mime == "image/png"
    # the attached QR code reads back as the tax service's check text
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text == payload
    assert FiscalReceipt.objects.get(pk=receipt.pk).emailed_at is not None


def test_drive_numbers_are_unique_and_signs_deterministic(client, django_capture_on_commit_callbacks):
    first, second = indebted_account(), indebted_account()
    subscriber(client, first, second)
    pay_by_card(client, django_capture_on_commit_callbacks, first)
    pay_by_card(client, django_capture_on_commit_callbacks, second, "700,00")
    numbers = sorted(int(r.fd) for r in FiscalReceipt.objects.all())
    assert numbers == [1, 2]
    r = FiscalReceipt.objects.get(fd="2")
    assert fiscal_drive.fiscal_sign(r.fn, 2, r.total, r.registered_at) == r.fp
    assert fiscal_drive.fiscal_sign(r.fn, 3, r.total, r.registered_at) != r.fp


def test_receipt_by_services_with_vat_and_agent_tags():
    account = indebted_account(price=D("1000.00"))
    org = account.organisation
    heating = Service.objects.get(organisation=org, code="fixed")
    FiscalSettings.objects.create(organisation=org, items=FiscalSettings.Items.SERVICES)
    ServiceFiscal.objects.create(
        service=heating, vat_code=VatCode.VAT20, supplier_name="ПАО «Теплосеть»", supplier_inn="7701234567"
    )
    draft = fiscal.draft_for([(account, D("333.33"))], email="p@example.ru")
    assert draft.total == D("333.33")
    (line,) = draft.lines
    assert line.vat_code == 4 and line.supplier_name == "ПАО «Теплосеть»" and line.supplier_inn == "7701234567"
    assert line.description.startswith(heating.name)


def test_agent_tags_come_from_the_services_supplier_in_the_register():
    account = indebted_account(price=D("1000.00"))
    org = account.organisation
    heating = Service.objects.get(organisation=org, code="fixed")
    supplier = f.SupplierFactory(
        organisation=org, short_name="АО «Теплосеть Демо»", inn="0276000019", phone="+7 347 200-00-00"
    )
    Service.objects.filter(pk=heating.pk).update(supplier=supplier, payee=Service.Payee.AGENT)
    FiscalSettings.objects.create(organisation=org, items=FiscalSettings.Items.SERVICES)
    ServiceFiscal.objects.create(service=heating, vat_code=VatCode.NONE, supplier_name="устаревшее", supplier_inn="1")
    (line,) = fiscal.draft_for([(account, D("100.00"))], email="p@example.ru").lines
    assert (line.supplier_name, line.supplier_inn, line.supplier_phone) == (
        "АО «Теплосеть Демо»",
        supplier.inn,
        "+7 347 200-00-00",
    )
    Service.objects.filter(pk=heating.pk).update(supplier=None)  # the organisation's own service: the typed ones
    (line,) = fiscal.draft_for([(account, D("100.00"))], email="p@example.ru").lines
    assert (line.supplier_name, line.supplier_inn) == ("устаревшее", "1")


def test_split_adds_up_to_the_payment_exactly():
    assert fiscal.split(D("100.00"), [D("1"), D("1"), D("1")]) == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(fiscal.split(D("0.05"), [D("3"), D("7")])) == D("0.05")


def test_listed_in_my_payments_and_only_the_payer_opens_it(client, django_capture_on_commit_callbacks):
    account = indebted_account()
    subscriber(client, account)
    payment = pay_by_card(client, django_capture_on_commit_callbacks, account)
    receipt = FiscalReceipt.objects.get(order=payment.order)
    page = client.get(reverse("payments:mine")).content.decode()
    assert f"Кассовый чек № {receipt.fd}" in page
    url = reverse("payments:fiscal_receipt", args=[receipt.pk])
    shown = client.get(url)
    assert shown.status_code == 200 and receipt.fp in shown.content.decode() and "<svg" in shown.content.decode()
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="check-{receipt.fd}.html"'
    client.force_login(f.UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("payments:fiscal_receipt", args=[receipt.pk + 1000])).status_code == 404


def test_declined_payment_has_no_registered_receipt(client, django_capture_on_commit_callbacks):
    account = indebted_account()
    subscriber(client, account)
    payment = pay_by_card(client, django_capture_on_commit_callbacks, account, card="4000000000000002")
    assert payment.status == Payment.Status.DECLINED
    assert FiscalReceipt.objects.get(order=payment.order).status == FiscalReceipt.Status.PENDING
    assert fiscal.pending_register() == 0  # never registered: nothing was paid
    assert not [m for m in mail.outbox if m.subject.startswith("Кассовый чек")]


def test_payer_without_email_or_phone_is_refused_before_anything(client):
    account = indebted_account()
    user = subscriber(client, account)
    type(user).objects.filter(pk=user.pk).update(email="", phone="")
    r = client.post(
        reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": "100", "method": "card"}
    )
    assert r.status_code == 200 and "Для кассового чека нужен e-mail или телефон" in r.content.decode()
    assert not Payment.objects.exists() and not FiscalReceipt.objects.exists()


def test_a_letter_the_mail_server_refused_goes_with_the_next_run(client, django_capture_on_commit_callbacks, settings):
    account = indebted_account()
    subscriber(client, account)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: the send fails
    pay_by_card(client, django_capture_on_commit_callbacks, account)
    receipt = FiscalReceipt.objects.get()
    assert receipt.status == "registered" and receipt.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    fiscal.pending_register()
    assert FiscalReceipt.objects.get().emailed_at is not None
    assert len([m for m in mail.outbox if m.subject.startswith("Кассовый чек")]) == 1
