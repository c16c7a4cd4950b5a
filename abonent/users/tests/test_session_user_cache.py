"""The logged-in user read from the shared cache (users.backends.LoginBackend.get_user, with Redis): a page
asks the database for nobody; a password change, a deactivation or a deletion takes effect on the next
request, in every process (the copy lives in Redis and is dropped on save)."""

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abonent.testing import factories as f
from abonent.users.models import AccountLink

pytestmark = pytest.mark.django_db
REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def shared_cache(settings):
    try:
        redis.Redis.from_url(REDIS).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis не отвечает")
    settings.CACHES = {"default": {"BACKEND": "abonent.cache_backends.SharedRedisCache", "LOCATION": REDIS}}
    settings.SHARED_CACHE = True
    caches._settings = caches.settings = settings.CACHES  # the handler reads its settings once
    caches._connections.__dict__.pop("default", None)
    yield
    caches._connections.__dict__.pop("default", None)


@pytest.fixture
def logged_in(client, shared_cache):
    user = f.AccountLinkFactory().user
    user.set_password("Старый-пароль-1")
    user.save()
    assert client.login(username=user.username, password="Старый-пароль-1")
    client.get("/cabinet/")  # the user is cached now
    return client, user


def test_warm_request_reads_no_user_row(logged_in, django_assert_num_queries, settings):
    client, user = logged_in
    settings.SUBSCRIBER_PAGE_CACHE = False  # the user only, not the page

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cabinet/").status_code == 200
    assert not any('FROM "users_user"' in q["sql"] for q in queries.captured_queries)


def test_password_changed_elsewhere_ends_the_session(logged_in):
    client, user = logged_in
    user.set_password("Новый-пароль-2")
    user.save()  # e.g. in another worker, or by an operator in the back office
    assert client.get("/cabinet/").status_code == 302  # to the login page


def test_deactivated_user_is_out_at_once(logged_in):
    client, user = logged_in
    user.is_active = False
    user.save()
    assert client.get("/cabinet/").status_code == 302


def test_deleted_user_is_out_at_once(logged_in):
    client, user = logged_in

    AccountLink.objects.filter(user=user).delete()
    user.delete()
    assert client.get("/cabinet/").status_code == 302
