import datetime as dt
import re
import time

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.core.cache import cache

from abonent.testing.factories import AccountLinkFactory, PersonalAccountFactory, UserFactory

PASSWORD = "pass-2026-word"
NEW_PASSWORD = "Snegir-Volga-2026"


@pytest.fixture(autouse=True)
def _clean_counters():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def captcha_passes(settings, monkeypatch):
    """django-simple-captcha reads its test mode once at import: switch both places so "PASSED" passes."""
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}


@pytest.fixture
def account(db):
    return PersonalAccountFactory(number="820000001", activation_code="1111-2222-3333")


@pytest.fixture
def subscriber(db, account):
    user = UserFactory(username="ivanov", email="ivanov@example.ru")
    AccountLinkFactory(user=user, account=account)
    return user


def link_in(message) -> str:
    body = message.body if hasattr(message, "body") else message
    match = re.search(r"https?://\S+", body)
    assert match, body
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def later(**delta) -> float:
    """A moment from now for time_machine, as a timestamp: an aware datetime would also switch the process's TZ,
    which moves Django's naive clock (the token generators use it) away from settings.TIME_ZONE."""
    return time.time() + dt.timedelta(**delta).total_seconds()


@pytest.fixture(autouse=True)
def _no_login_pause(settings):
    """The pause after repeated failed logins is tested on its own (test_login_guard); elsewhere it only slows."""
    settings.LOGIN_SLOWDOWN_SECONDS = 0


@pytest.fixture
def real_captcha(settings, monkeypatch):
    """The captcha checked for real: solved by reading the answer the server stored (CaptchaStore)."""
    settings.CAPTCHA_TEST_MODE = False
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def captcha_answer(page_html: str) -> dict:
    """The captcha fields of a rendered form, filled in with the stored answer."""
    match = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page_html)
    assert match, "the page asks for no captcha"
    return {"captcha_0": match.group(1), "captcha_1": CaptchaStore.objects.get(hashkey=match.group(1)).response}
