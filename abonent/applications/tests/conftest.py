import pytest
from captcha.conf import settings as captcha_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.support.tests.conftest import png_bytes
from abonent.testing.factories import OperatorFactory, PersonalAccountFactory

CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def captcha_passes(settings, monkeypatch):
    """django-simple-captcha reads its test mode once at import: switch both places so "PASSED" passes."""
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def png(name="kvitanciya.png", data=None):
    return SimpleUploadedFile(name, data or png_bytes((40, 30)), content_type="image/png")


def pdf(name="dogovor.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


@pytest.fixture
def account(db):
    return PersonalAccountFactory(number="7300012345")


@pytest.fixture
def org(account):
    return account.organisation


@pytest.fixture
def operator(org):
    return OperatorFactory(organisation=org)


@pytest.fixture
def other_operator(db):
    return OperatorFactory()
