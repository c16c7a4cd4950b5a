"""Whole pages cached per user (lib.page_cache): a warm home and card read nothing but the session and the
user; what they show changes at once when the user, the links or the register change; the CSRF token is each
response's own; pages with a message, a query string or of another user are never served from it. The events
that change figures (payments, publish, recalculations, registries) are billing/tests/test_figures_cache.py's,
run with this cache on and off."""

import re

import pytest
import redis
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches

from abonent.billing.tests.test_statements import _setup
from abonent.testing import factories as f
from abonent.users.models import AccountLink

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.SUBSCRIBER_PAGE_CACHE = True


@pytest.fixture
def setup(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    return org, account, user


def card(account):
    return f"/cabinet/accounts/{account.pk}/"


def test_warm_pages_read_only_the_session_and_the_user(client, setup, django_assert_max_num_queries):
    org, account, user = setup
    first_home, first_card = client.get("/cabinet/").content.decode(), client.get(card(account)).content.decode()
    with django_assert_max_num_queries(2):  # session, user
        home = client.get("/cabinet/").content.decode()
    with django_assert_max_num_queries(2):
        page = client.get(card(account)).content.decode()
    assert TOKEN.sub("", home) == TOKEN.sub("", first_home) and f"Л/С № {account.number}" in home
    assert TOKEN.sub("", page) == TOKEN.sub("", first_card) and "ИТОГО" in page


def test_served_page_carries_a_working_csrf_token(client, setup):
    org, account, user = setup
    client.get(card(account))
    page = client.get(card(account)).content.decode()
    assert "__abonent_csrf_token__" not in page
    client.handler.enforce_csrf_checks = True
    response = client.post("/logout/", {"csrfmiddlewaretoken": TOKEN.search(page).group(1)})
    assert response.status_code == 302
    assert client.get("/cabinet/").status_code == 302  # logged out: the login page, not a cached page


def test_unlinked_account_is_404_at_once_and_leaves_the_home(client, setup):
    org, account, user = setup
    client.get("/cabinet/"), client.get(card(account))
    AccountLink.objects.get(user=user, account=account).delete()
    assert client.get(card(account)).status_code == 404
    assert f"Л/С № {account.number}" not in client.get("/cabinet/").content.decode()


def test_new_link_shows_on_the_home_at_once(client, setup):
    org, account, user = setup
    client.get("/cabinet/")
    other = f.AccountLinkFactory(user=user).account
    assert f"Л/С № {other.number}" in client.get("/cabinet/").content.decode()


def test_register_edits_show_at_once(client, setup):
    org, account, user = setup
    client.get("/cabinet/"), client.get(card(account))
    org.notice = "Плановое отключение воды 1 декабря"
    org.save()
    assert "Плановое отключение воды 1 декабря" in client.get("/cabinet/").content.decode()
    account.payer_name = "Петрова Анна Ивановна"
    account.save()
    assert "Петрова Анна Ивановна" in client.get("/cabinet/").content.decode()
    premises = account.premises
    premises.total_area = "61.20"
    premises.save()
    assert "61,2" in client.get(card(account)).content.decode()


def test_user_rename_shows_at_once(client, setup):
    org, account, user = setup
    client.get("/cabinet/")
    user.username = "novoe-imya"
    user.save()
    assert "novoe-imya" in client.get("/cabinet/").content.decode()


def test_page_with_a_waiting_message_is_not_served_from_the_cache(client, setup, rf):
    org, account, user = setup
    client.get("/cabinet/"), client.get("/cabinet/")  # cached
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([_message("Лицевой счёт добавлен.")])
    assert "Лицевой счёт добавлен." in client.get("/cabinet/").content.decode()


def test_another_user_never_gets_the_cached_page(client, setup):
    org, account, user = setup
    client.get(card(account)), client.get(card(account))
    stranger = f.AccountLinkFactory().user
    client.force_login(stranger)
    assert client.get(card(account)).status_code == 404
    assert f"Л/С № {account.number}" not in client.get("/cabinet/").content.decode()


def test_exports_are_not_cached(client, setup):
    org, account, user = setup
    client.get(card(account))
    response = client.get(card(account) + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def _message(text):
    return Message(constants.SUCCESS, text)


def _redis_or_skip(url):
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis не отвечает")


def test_with_the_shared_redis_cache(client, settings, django_assert_max_num_queries):
    # The deployment's configuration (REDIS_URL): abonent.cache_backends.SharedRedisCache, one client reused.

    url = "redis://127.0.0.1:6379/13"
    _redis_or_skip(url)
    settings.CACHES = {"default": {"BACKEND": "abonent.cache_backends.SharedRedisCache", "LOCATION": url}}
    caches._settings = caches.settings = settings.CACHES  # the handler reads its settings once
    caches._connections.__dict__.pop("default", None)
    try:
        org, account, user, last = _setup(2)
        client.force_login(user)
        first = client.get(card(account)).content.decode()
        with django_assert_max_num_queries(2):
            again = client.get(card(account)).content.decode()
        assert TOKEN.sub("", again) == TOKEN.sub("", first)
        backend = caches["default"]
        assert backend._cache.get_client() is backend._cache.get_client()
        org.notice = "Счётчики принимаются до 25 числа"
        org.save()
        assert "Счётчики принимаются до 25 числа" in client.get("/cabinet/").content.decode()
    finally:
        caches._connections.__dict__.pop("default", None)
