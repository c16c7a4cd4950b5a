"""Back office: the cash desk, cancel with a reason, XLSX export, registry upload, unmatched lines; all scoped."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from abonent.payments import services
from abonent.payments.models import Payment, PayPoint, Registry, UnmatchedLine
from abonent.testing import factories as f
from abonent.testing.downloads import job_download

from .conftest import debt, indebted_account
from .test_registry import build, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    account = indebted_account()
    operator = f.OperatorFactory(organisation=account.organisation)
    client.force_login(operator)
    return account, operator


def test_cash_desk_then_cancel_with_reason(client, setup):
    account, operator = setup
    r = client.post(
        reverse("admin:payments_payment_cash"),
        {"account": account.number, "amount": "600,00", "paid_on": "10.11.2026", "payer_name": "Иванов"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    payment = Payment.objects.get(account=account)
    assert payment.channel == "cash" and payment.status == "credited"
    assert debt(account) == D("900.00")
    assert client.get(reverse("admin:payments_payment_change", args=[payment.pk])).status_code == 200
    r = client.post(reverse("admin:payments_payment_cancel", args=[payment.pk]), {"reason": "двойной ввод"})
    assert r.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "cancelled" and payment.cancel_reason == "двойной ввод"
    assert payment.events.filter(status="cancelled", actor=operator).exists()
    assert debt(account) == D("1500.00")


def test_cash_desk_refuses_other_organisations_account(client, setup):
    other = indebted_account()
    r = client.post(
        reverse("admin:payments_payment_cash"), {"account": other.number, "amount": "1", "paid_on": "10.11.2026"}
    )
    assert r.status_code == 200 and "не найден" in r.content.decode()
    assert not Payment.objects.exists()


def test_other_organisations_payment_is_404(client, setup):
    other = indebted_account()

    p = services.payment_cash_create(account=other, amount=D("1"), paid_on=other.organisation.today(), actor=None)
    assert client.get(reverse("admin:payments_payment_change", args=[p.pk])).status_code == 404
    assert client.post(reverse("admin:payments_payment_cancel", args=[p.pk]), {"reason": "x"}).status_code == 404
    assert str(other.number) not in client.get(reverse("admin:payments_payment_changelist")).content.decode()


def test_xlsx_export(client, setup, django_capture_on_commit_callbacks):
    account, _ = setup
    client.post(
        reverse("admin:payments_payment_cash"), {"account": account.number, "amount": "123,45", "paid_on": "10.11.2026"}
    )
    selected = {"action": "export_xlsx", "_selected_action": list(Payment.objects.values_list("pk", flat=True))}
    url = reverse("admin:payments_payment_changelist")
    data = job_download(client, django_capture_on_commit_callbacks, "post", url, selected)
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[1][1] == account.number and D(str(rows[1][2])) == D("123.45")


def _upload(client, data, name, capture):
    """Post the registry; the request only queues the job, which runs once the request's transaction commits."""
    with capture(execute=True):
        r = client.post(
            reverse("admin:payments_registry_upload"), {"file": SimpleUploadedFile(name, data), "layout": "sber"}
        )
    assert r.status_code == 302 and r["Location"].startswith("/admin/jobs/"), r.content.decode()[:3000]
    return client.get(r["Location"]).content.decode()


def test_registry_upload_and_unmatched_resolution(client, setup, django_capture_on_commit_callbacks):
    account, _ = setup
    data = build([line(account.number, "100.00", "U1"), line("404404", "200.00", "U2")])
    page = _upload(client, data, "reestr.txt", django_capture_on_commit_callbacks)
    assert "зачислено платежей: 1" in page and "не сопоставлено: 1" in page
    assert Registry.objects.get().organisation == account.organisation
    unmatched = UnmatchedLine.objects.get()
    r = client.post(reverse("admin:payments_unmatched_resolve", args=[unmatched.pk]), {"account": account.number})
    assert r.status_code == 302
    assert debt(account) == D("1200.00")


def test_bad_registry_upload_refused_in_russian(client, setup, django_capture_on_commit_callbacks):
    account, _ = setup
    data = build([line(account.number, "100.00", "B1")], total=D("99.00"))
    page = _upload(client, data, "bad.txt", django_capture_on_commit_callbacks)
    assert "Ошибка" in page and "Реестр не сходится" in page
    assert not Registry.objects.exists() and not Payment.objects.exists()


def test_pay_points_shown_on_pay_page(client):
    account = indebted_account()
    f.AccountLinkFactory(account=account, user=(user := f.UserFactory()))

    PayPoint.objects.create(organisation=account.organisation, kind="office", name="Касса УК", address="ул. Ленина, 1")
    PayPoint.objects.create(organisation=indebted_account().organisation, kind="office", name="Чужая касса")
    client.force_login(user)
    page = client.get(reverse("payments:pay")).content.decode()
    assert "Касса УК" in page and "Чужая касса" not in page


def test_xlsx_export_of_all_matching_a_search(client, setup, django_capture_on_commit_callbacks):
    """«Выбрать все» on a searched list: the job rebuilds the list as the operator saw it (their organisation's,
    narrowed by the search), not the whole table nor the page's ticked rows."""
    account, _ = setup
    neighbour = f.PersonalAccountFactory(premises=f.PremisesFactory(building=account.premises.building))
    foreign = indebted_account()
    for payer, amount in ((account, "10"), (neighbour, "20"), (foreign, "30")):
        services.payment_cash_create(account=payer, amount=D(amount), paid_on=payer.organisation.today(), actor=None)
    url = reverse("admin:payments_payment_changelist") + f"?q={neighbour.number}"
    ticked = {"action": "export_xlsx", "_selected_action": [Payment.objects.first().pk], "select_across": "1"}
    data = job_download(client, django_capture_on_commit_callbacks, "post", url, ticked)
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert [(r[1], D(str(r[2]))) for r in rows[1:]] == [(neighbour.number, D("20"))]
