import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from abonent.testing.factories import AccountLinkFactory, OperatorFactory, PersonalAccountFactory, UserFactory

PASSWORD = "pass-2026-word"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name="act.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


@pytest.fixture
def account(db):
    return PersonalAccountFactory()


@pytest.fixture
def subscriber(account):
    user = UserFactory(username="ivanov", email="ivanov@example.ru")
    AccountLinkFactory(user=user, account=account)
    return user


@pytest.fixture
def stranger(db):
    user = UserFactory(username="petrov")
    AccountLinkFactory(user=user)
    return user


@pytest.fixture
def operator(account):
    return OperatorFactory(organisation=account.organisation)


@pytest.fixture
def other_operator(db):
    return OperatorFactory()
