"""Operators: any receipt of their organisation's accounts, a period's receipts as one file."""

import io
import zipfile

import pytest

from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def test_account_list_links_receipts_and_period_export(client, published):
    account = published["account"]
    client.force_login(f.OperatorFactory(organisation=published["org"]))
    page = client.get("/admin/receipts/accountreceipts/").content.decode()
    assert f"/receipts/admin/{account.pk}/2026-10.pdf" in page
    assert "2026-11" not in page  # calculated, not published
    period = published["october"]
    changelist = client.get("/admin/receipts/periodreceipts/").content.decode()
    assert "2026" in changelist
    response = client.post("/admin/receipts/periodreceipts/", {"action": "export_zip", "_selected_action": [period.pk]})
    assert response["Content-Type"] == "application/zip"
    assert f"{account.number}-2026-10.pdf" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    response = client.post("/admin/receipts/periodreceipts/", {"action": "export_pdf", "_selected_action": [period.pk]})
    assert response["Content-Type"] == "application/pdf"


def test_other_organisations_operator_sees_nothing(client, published):
    client.force_login(f.OperatorFactory())
    assert published["account"].number not in client.get("/admin/receipts/accountreceipts/").content.decode()
    response = client.post(
        "/admin/receipts/periodreceipts/", {"action": "export_zip", "_selected_action": [published["october"].pk]}
    )
    assert response.status_code == 302  # nothing selected of its own: no file
