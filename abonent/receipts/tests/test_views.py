"""Subscribers get receipts of their own accounts for published periods only; everything else is 404."""

import pytest

from abonent.receipts.tests.test_receipt import decode_qr, pdf_text
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(client, published):
    link = f.AccountLinkFactory(account=published["account"])
    client.force_login(link.user)
    return client


def test_list_offers_published_periods_only(subscriber, published):
    account = published["account"]
    page = subscriber.get(f"/cabinet/accounts/{account.pk}/receipts/").content.decode()
    assert "октябрь 2026" in page and "сентябрь 2026" in page
    assert "ноябрь 2026" not in page
    assert f"/cabinet/accounts/{account.pk}/receipts/2026-10.pdf" in page
    assert "Квитанции" in subscriber.get("/cabinet/").content.decode()


def test_pdf_and_print(subscriber, published):
    account = published["account"]
    response = subscriber.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert account.number in pdf_text(response.content)
    assert "PaymPeriod=102026" in decode_qr(response.content)
    page = subscriber.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/print/").content.decode()
    assert "Платёжный документ (ЕПД) за октябрь 2026" in page and account.activation_code in page
    png = subscriber.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/qr.png")
    assert png.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("month", ["2026-11", "2026-12", "2026-13", "junk"])
def test_unpublished_or_missing_period_is_404(subscriber, published, month):
    account = published["account"]
    assert subscriber.get(f"/cabinet/accounts/{account.pk}/receipts/{month}.pdf").status_code == 404
    assert subscriber.get(f"/cabinet/accounts/{account.pk}/receipts/{month}/print/").status_code == 404


def test_another_users_receipt_is_404(client, published):
    client.force_login(f.UserFactory())
    account = published["account"]
    assert client.get(f"/cabinet/accounts/{account.pk}/receipts/").status_code == 404
    assert client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10.pdf").status_code == 404
    assert client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/print/").status_code == 404


def test_operator_gets_receipts_of_own_organisation_only(client, published):
    account = published["account"]
    client.force_login(f.OperatorFactory(organisation=published["org"]))
    assert client.get(f"/receipts/admin/{account.pk}/2026-10.pdf")["Content-Type"] == "application/pdf"
    client.force_login(f.OperatorFactory())
    assert client.get(f"/receipts/admin/{account.pk}/2026-10.pdf").status_code == 404
