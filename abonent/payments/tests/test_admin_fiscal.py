"""The back office of receipts, fiscal settings and auto-pay: an operator sees and sets only their organisation's."""

import pytest
from django.urls import reverse

from abonent.billing.models import Service
from abonent.payments.models import FiscalReceipt, FiscalSettings, ServiceFiscal
from abonent.testing import factories as f

from .conftest import indebted_account
from .helpers import pay_by_card, subscriber

pytestmark = pytest.mark.django_db


def test_operator_sees_own_receipts_only(client, django_capture_on_commit_callbacks):
    mine, theirs = indebted_account(), indebted_account()
    subscriber(client, mine, theirs)
    pay_by_card(client, django_capture_on_commit_callbacks, mine)
    pay_by_card(client, django_capture_on_commit_callbacks, theirs, "700,00")
    client.force_login(f.OperatorFactory(organisation=mine.organisation))
    page = client.get(reverse("admin:payments_fiscalreceipt_changelist")).content.decode()
    assert "1 500,00" in page.replace("\u00a0", " ") and "700,00" not in page
    other = FiscalReceipt.objects.get(payment__account=theirs)
    assert client.get(reverse("admin:payments_fiscalreceipt_change", args=[other.pk])).status_code == 404


def test_operator_sets_the_receipt_lines_and_a_services_vat(client):
    account = indebted_account()
    org = account.organisation
    client.force_login(f.OperatorFactory(organisation=org))
    r = client.post(reverse("admin:payments_fiscalsettings_add"), {"items": "services", "vat_code": "1"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert FiscalSettings.objects.get().organisation == org
    service = Service.objects.get(organisation=org, code="fixed")
    r = client.post(
        reverse("admin:payments_servicefiscal_add"),
        {"service": service.pk, "vat_code": "4", "supplier_name": "", "supplier_inn": "", "supplier_phone": ""},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert ServiceFiscal.objects.get().vat_code == 4
    # another organisation's service is not a choice
    foreign = f.ServiceFactory(organisation=f.OrganisationFactory(), code="x")
    r = client.post(reverse("admin:payments_servicefiscal_add"), {"service": foreign.pk, "vat_code": "4"})
    assert r.status_code == 200 and ServiceFiscal.objects.count() == 1
