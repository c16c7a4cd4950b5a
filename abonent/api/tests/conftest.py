"""A resident with an account of three published months (billing's own test set-up), a meter, and API clients
with tokens of each scope; a second resident with their own account, for the isolation tests."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from abonent.api import tokens
from abonent.billing.tests.test_statements import _setup
from abonent.news.models import News
from abonent.support import services as support
from abonent.support.models import AppealMessage, PaidService
from abonent.testing import factories as f

# In the readings window of November 2026 (the factories' organisation: days 7–25, Europe/Ulyanovsk).
IN_WINDOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


PNG = _png()


def client_with(user, scope="write") -> APIClient:
    _, raw = tokens.token_create(user=user, name=f"тест {scope}", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_token = raw
    return client


class Resident:
    def __init__(self):
        self.org, self.account, self.user, self.period = _setup(3)
        self.meter = f.MeterFactory(premises=self.account.premises)
        self.write = client_with(self.user, "write")
        self.read = client_with(self.user, "read")


@pytest.fixture
def resident(db):
    return Resident()


@pytest.fixture
def stranger(db):
    """Another resident (another organisation too), with an account, a meter and a token of their own."""
    return Resident()


@pytest.fixture
def owned(resident):
    """The resident's things with ids: an appeal with a file, a paid request, a card payment's order."""
    appeal = support.appeal_create(
        user=resident.user, account_id=resident.account.pk, topic="other", text="Вопрос", contact="+79000000000",
        files=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
    )  # fmt: skip
    service = PaidService.objects.create(organisation=resident.org, name="Поверка", price=D("900"))
    request = support.paid_request_create(
        user=resident.user, account_id=resident.account.pk, service_id=service.pk,
        desired_date=resident.org.today() + dt.timedelta(days=2), contact="+79000000000",
    )  # fmt: skip
    pay = resident.write.post("/api/v1/payments/", {"items": [{"account": resident.account.pk, "amount": "10"}]},
                              format="json")  # fmt: skip
    attachment = AppealMessage.objects.get(appeal=appeal).attachments.get()
    news = News.objects.create(
        organisation=resident.org, title="Новость", body="Текст", published_on=dt.date(2024, 1, 1)
    )
    return {
        "appeal": appeal.pk, "attachment": attachment.pk, "request": request.pk, "order": pay.json()["order"],
        "service": service.pk, "news": news.pk,
    }  # fmt: skip
