"""Sessions end after an idle time (users.idle_timeout): a subscriber without «Запомнить меня» after
SESSION_IDLE_TIMEOUT, staff after STAFF_SESSION_IDLE_TIMEOUT even with it; a remembered subscriber keeps the
30 days. The clock is moved with time-machine; the next request after the timeout is logged out, also for a
page served whole from the cache and with the cached_db session engine over Redis."""

import datetime as dt

import pytest
import redis
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from abonent.testing.factories import OperatorFactory
from abonent.users.idle_timeout import LAST_ACTIVITY

from .conftest import PASSWORD, later

pytestmark = pytest.mark.django_db
IDLE_MESSAGE = "Сеанс завершён из-за бездействия"


def _login(client, username, **extra):
    response = client.post("/login/", {"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _assert_logged_out(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert SESSION_KEY not in client.session
    assert IDLE_MESSAGE in client.get(response["Location"]).content.decode()


def test_subscriber_without_remember_me_is_logged_out_after_the_idle_time(client, subscriber, settings):
    _login(client, "ivanov")
    assert client.get("/cabinet/").status_code == 200
    with time_machine.travel(later(seconds=settings.SESSION_IDLE_TIMEOUT + 61)):
        _assert_logged_out(client, "/cabinet/")
    assert client.get("/cabinet/").status_code == 302  # and stays out


def test_activity_keeps_the_session(client, subscriber, settings):
    _login(client, "ivanov")
    step = settings.SESSION_IDLE_TIMEOUT * 2 // 3
    for n in range(1, 4):  # 3 × two thirds of the timeout: longer than it in all, never idle for it
        with time_machine.travel(later(seconds=step * n)):
            assert client.get("/cabinet/").status_code == 200


def test_remember_me_keeps_a_subscribers_session(client, subscriber, settings):
    _login(client, "ivanov", remember="on")
    with time_machine.travel(later(days=2)):
        assert client.get("/cabinet/").status_code == 200
    assert client.session.get_expiry_age() == 30 * 24 * 60 * 60


def test_staff_have_an_idle_timeout_even_with_remember_me(client, settings):
    operator = OperatorFactory(username="kassir")
    _login(client, "kassir", remember="on")
    assert client.get("/admin/").status_code == 200
    assert client.session.get_expire_at_browser_close()  # remember-me does not keep a staff session
    with time_machine.travel(later(seconds=settings.STAFF_SESSION_IDLE_TIMEOUT + 61)):
        _assert_logged_out(client, "/admin/")
    assert operator.pk  # the user is untouched, only the session ended


def test_admin_login_session_has_the_staff_timeout(client, settings):
    OperatorFactory(username="kassir2")
    client.post("/admin/login/", {"username": "kassir2", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/").status_code == 200
    with time_machine.travel(later(seconds=settings.STAFF_SESSION_IDLE_TIMEOUT + 61)):
        _assert_logged_out(client, "/admin/")


def test_server_side_expiry_is_the_idle_time_not_30_days(subscriber, settings):
    short, long = Client(), Client()
    _login(short, "ivanov")
    _login(long, "ivanov", remember="on")
    short_left = Session.objects.get(pk=short.session.session_key).expire_date - timezone.now()
    long_left = Session.objects.get(pk=long.session.session_key).expire_date - timezone.now()
    assert short_left <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE) <= dt.timedelta(hours=13)
    assert long_left > dt.timedelta(days=29)
    assert short.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""  # ends with the browser


def test_a_page_served_from_the_page_cache_is_refused_after_the_idle_time(client, subscriber, settings):
    settings.SUBSCRIBER_PAGE_CACHE = True
    _login(client, "ivanov")
    first = client.get("/cabinet/")
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cabinet/").status_code == 200
    assert not any("users_accountlink" in q["sql"] for q in queries.captured_queries)  # from the cache
    with time_machine.travel(later(seconds=settings.SESSION_IDLE_TIMEOUT + 61)):
        _assert_logged_out(client, "/cabinet/")


REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def cached_db_sessions(settings):
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis не отвечает")
    settings.CACHES = {
        "default": {
            "BACKEND": "abonent.cache_backends.SharedRedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": "test-idle-timeout",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SHARED_CACHE = settings.SUBSCRIBER_PAGE_CACHE = True
    caches._settings = caches.settings = settings.CACHES  # the handler reads its settings once
    caches._connections.__dict__.pop("default", None)
    caches["default"].clear()
    yield
    caches["default"].clear()
    caches._connections.__dict__.pop("default", None)


def test_cached_db_sessions_expire_and_are_written_once_a_minute(client, subscriber, settings, cached_db_sessions):
    _login(client, "ivanov")
    assert client.get("/cabinet/").status_code == 200
    stamp = client.session[LAST_ACTIVITY]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cabinet/").status_code == 200  # within the minute: the session is not written
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)
    with time_machine.travel(later(seconds=90)):
        assert client.get("/cabinet/").status_code == 200  # past the minute: the stamp is renewed
        assert client.session[LAST_ACTIVITY] > stamp
    with time_machine.travel(later(seconds=90 + settings.SESSION_IDLE_TIMEOUT + 61)):
        _assert_logged_out(client, "/cabinet/")
