"""The month upload in the back office and over HTTP with an organisation token; the received files downloadable
again, another organisation's not (404)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from abonent.billing.models import BillingPeriod, Charge
from abonent.exchange import tokens
from abonent.exchange.models import ExchangeFile
from abonent.testing import factories as f

from .conftest import ROWS, month_file

pytestmark = pytest.mark.django_db


def test_admin_upload_publishes_and_the_file_downloads_again(client, external, django_capture_on_commit_callbacks):
    operator = f.OperatorFactory(organisation=external["org"])
    client.force_login(operator)
    data = month_file("csv", "cp1251")
    form = {"file": SimpleUploadedFile("october.csv", data), "month": "10.2026", "publish": "on"}
    with django_capture_on_commit_callbacks(execute=True):  # the upload queues a job, run once the request commits
        r = client.post(reverse("admin:exchange_exchangefile_upload"), form)
    assert r.status_code == 302 and r["Location"].startswith("/admin/jobs/")
    assert "строк в файле: 3" in client.get(r["Location"]).content.decode()
    stored = ExchangeFile.objects.get(kind=ExchangeFile.Kind.MONTH)  # (the publish sends the billing its files too)
    assert stored.created_by == operator and stored.channel == "admin"
    assert stored.checksum == hashlib.sha256(data).hexdigest() and stored.lines == 3 and stored.accounts == 2
    assert stored.missing_accounts == "100003"
    assert BillingPeriod.objects.get(organisation=external["org"]).state == BillingPeriod.State.PUBLISHED
    download = client.get(reverse("admin:exchange_exchangefile_download", args=[stored.pk]))
    assert download.status_code == 200 and download.content == data

    other = f.OperatorFactory(organisation=f.OrganisationFactory())
    client.force_login(other)
    assert client.get(reverse("admin:exchange_exchangefile_download", args=[stored.pk])).status_code == 404


def test_admin_upload_refusal_shows_the_lines_and_changes_nothing(client, external, django_capture_on_commit_callbacks):
    client.force_login(f.OperatorFactory(organisation=external["org"]))
    form = {"file": SimpleUploadedFile("bad.csv", month_file("csv", rows=[ROWS[0], ROWS[0]])), "month": "10.2026"}
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("admin:exchange_exchangefile_upload"), form)
    page = client.get(r["Location"]).content.decode()
    assert "строка 3: счёт 100001, услуга «Холодное водоснабжение» повторяет строку 2" in page
    assert not Charge.objects.exists()
    assert ExchangeFile.objects.get().status == "refused"


def test_http_endpoint_with_the_organisation_token(client, external):
    token = tokens.token_issue(external["org"], "биллинг")
    url = reverse("exchange:billing_month")
    data = month_file("xlsx")
    answer = client.post(
        url,
        {"month": "10.2026", "file": SimpleUploadedFile("october.xlsx", data)},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["version"] == 1 and answer.json()["missing_accounts"] == ["100003"]
    assert ExchangeFile.objects.get().channel == "http"

    bad = client.post(
        url,
        {"month": "10.2026", "file": SimpleUploadedFile("bad.csv", month_file("csv", rows=[ROWS[0], ROWS[0]]))},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0].startswith("строка 3:")

    wrong = client.post(
        url, {"month": "10.2026", "file": SimpleUploadedFile("x.csv", data)}, HTTP_AUTHORIZATION="Token nope"
    )
    assert wrong.status_code == 401
    assert ExchangeFile.objects.filter(status="accepted").count() == 1
