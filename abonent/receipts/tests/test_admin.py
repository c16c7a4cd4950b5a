"""Operators: any receipt of their organisation's accounts, a period's receipts as one file."""

import io
import zipfile

import pypdf
import pytest
from django.urls import reverse

from abonent.jobs.models import Job
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def _export(client, period, action, capture):
    with capture(execute=True):
        response = client.post("/admin/receipts/periodreceipts/", {"action": action, "_selected_action": [period.pk]})
    assert response.status_code == 302  # back to the list, with a link to the job: nothing made in the request
    job = Job.objects.filter(kind="receipts.export").latest("pk")
    assert job.state == Job.State.FINISHED, job.error
    download = client.get(reverse("jobs:file", args=[job.pk]))
    return download, b"".join(download.streaming_content)


def test_account_list_links_receipts_and_period_export(client, published, django_capture_on_commit_callbacks):
    account = published["account"]
    client.force_login(f.OperatorFactory(organisation=published["org"]))
    page = client.get("/admin/receipts/accountreceipts/").content.decode()
    assert f"/receipts/admin/{account.pk}/2026-10.pdf" in page
    assert "2026-11" not in page  # calculated, not published
    period = published["october"]
    changelist = client.get("/admin/receipts/periodreceipts/").content.decode()
    assert "2026" in changelist
    response, data = _export(client, period, "export_zip", django_capture_on_commit_callbacks)
    assert response["Content-Type"] == "application/zip"
    assert f"{account.number}-2026-10.pdf" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    response, data = _export(client, period, "export_pdf", django_capture_on_commit_callbacks)
    assert response["Content-Type"] == "application/pdf" and data.startswith(b"%PDF")


def test_period_pdf_of_several_chunks_is_one_file_in_account_order(
    client, published, settings, django_capture_on_commit_callbacks
):
    """A chunk per account: the parts joined into one PDF, a page per receipt, accounts by number."""
    settings.RECEIPTS_EXPORT_CHUNK = 1
    client.force_login(f.OperatorFactory(organisation=published["org"]))
    _, data = _export(client, published["october"], "export_pdf", django_capture_on_commit_callbacks)
    pages = pypdf.PdfReader(io.BytesIO(data), strict=True).pages
    numbers = sorted([published["account"].number, published["second"].number])
    assert len(pages) == 2
    assert [number in page.extract_text() for page, number in zip(pages, numbers, strict=True)] == [True, True]


def test_other_organisations_operator_sees_nothing(client, published):
    client.force_login(f.OperatorFactory())
    assert published["account"].number not in client.get("/admin/receipts/accountreceipts/").content.decode()
    response = client.post(
        "/admin/receipts/periodreceipts/", {"action": "export_zip", "_selected_action": [published["october"].pk]}
    )
    assert response.status_code == 302  # nothing selected of its own: no file
