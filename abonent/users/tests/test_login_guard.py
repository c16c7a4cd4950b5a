"""Failed logins: counted against the person whatever was typed, on both logins, answered by a captcha that
strangers cannot turn into a lock-out; the client's IP behind our proxies; one password hash per attempt."""

import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.test import Client, RequestFactory

from abonent.testing.factories import AccountLinkFactory, OperatorFactory, PersonalAccountFactory, UserFactory
from abonent.users import ratelimit

from .conftest import CAPTCHA, PASSWORD, captcha_answer

pytestmark = pytest.mark.django_db

CAPTCHA_LABEL = "Код на картинке"
REFUSED = "Слишком много неудачных попыток входа с этим логином с вашего адреса"
INVALID = "Неверный логин или пароль"


@pytest.fixture
def victim(db):
    user = UserFactory(username="victim1", email="victim1@example.ru")
    AccountLinkFactory(user=user, account=PersonalAccountFactory(number="820000777"))
    return user


def _client(ip: str = "192.0.2.10", **headers) -> Client:
    return Client(REMOTE_ADDR=ip, **headers)


def _login(client, username, password=PASSWORD, url="/login/", **extra):
    return client.post(url, {"username": username, "password": password, **extra})


def _logged_in(client) -> bool:
    return SESSION_KEY in client.session


# --- one person, however the login is typed -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["VICTIM1", " victim1 ", "Victim1@Example.ru", "820000777"])
def test_failures_for_victim1_count_for_every_way_of_typing_it(victim, typed):
    client = _client()
    for _ in range(5):
        _login(client, "victim1", "wrong")
    # The right password typed another way does not slip past the failures: a captcha is asked for…
    response = _login(client, typed)
    assert not _logged_in(client)
    assert CAPTCHA_LABEL in response.content.decode()
    # …and with it the rightful owner is in.
    assert _login(client, typed, **CAPTCHA).status_code == 302


def test_an_account_number_in_full_width_digits_is_no_login(victim):
    # "８２００００７７７" is not the account number 820000777: only ASCII digits are numbers.
    client = _client()
    _login(client, "８２００００７７７")
    assert not _logged_in(client)
    _login(client, "820000777")
    assert _logged_in(client)


def test_failures_typed_in_different_ways_add_up(victim):
    client = _client()
    for typed in ("VICTIM1", " victim1", "victim1@example.ru"):
        _login(client, typed, "wrong")
    assert CAPTCHA_LABEL in _login(_client("198.51.100.1"), "820000777").content.decode()


# --- the admin login ---------------------------------------------------------------------------------------


def test_admin_login_is_limited_like_the_subscriber_login(db):
    OperatorFactory(username="boss")
    client = _client()
    for i in range(40):
        _login(client, f"stranger{i}", "wrong", url="/admin/login/")
    response = _login(client, "boss", url="/admin/login/")
    assert not _logged_in(client)
    assert CAPTCHA_LABEL in response.content.decode() and 'name="captcha_1"' in response.content.decode()
    assert _login(client, "boss", url="/admin/login/", **CAPTCHA).status_code == 302
    assert _logged_in(client)


def test_admin_failures_count_for_the_user(db):
    OperatorFactory(username="boss")
    for _ in range(3):
        _login(_client("203.0.113.9"), "BOSS", "wrong", url="/admin/login/")
    client = _client("198.51.100.2")
    assert CAPTCHA_LABEL in _login(client, "boss", url="/admin/login/").content.decode()
    assert not _logged_in(client)


# --- strangers cannot lock the owner out ------------------------------------------------------------------


def _attempt(client, login, password, page=None):
    """A login as a determined stranger makes it: solving the captcha whenever the last page asked for one."""
    answer = captcha_answer(page) if page and 'name="captcha_0"' in page else {}
    return _login(client, login, password, **answer).content.decode()


def test_strangers_failures_do_not_lock_out_the_owner(victim, real_captcha):
    # 30 strangers, each from an address of their own…
    for i in range(30):
        _login(_client(f"203.0.113.{i + 1}"), "820000777", "wrong")
    # …and one who keeps trying from one address, solving every captcha.
    stranger, page = _client("198.51.100.99"), None
    for _ in range(30):
        page = _attempt(stranger, "820000777", "wrong", page)
    # The owner, from home: asked for the captcha, then in with the right password and the right captcha.
    owner = _client("192.0.2.77")
    response = _login(owner, "820000777")
    assert not _logged_in(owner)
    response = _login(owner, "820000777", **captcha_answer(response.content.decode()))
    assert response.status_code == 302 and _logged_in(owner)
    # The stranger's pair (this login from that address) stays refused, even with a solved captcha.
    assert REFUSED in _attempt(stranger, "820000777", "guess", page)


def test_a_wrong_captcha_does_not_let_the_password_through(victim, real_captcha):
    client = _client()
    for _ in range(3):
        _login(client, "victim1", "wrong")
    answer = captcha_answer(_login(client, "victim1").content.decode())
    response = _login(client, "victim1", captcha_0=answer["captcha_0"], captcha_1="WRONG")
    assert "Код с картинки введён неверно" in response.content.decode()
    assert not _logged_in(client)


def test_failures_after_the_captcha_threshold_answer_slower(victim, settings):
    settings.LOGIN_SLOWDOWN_SECONDS = 0.4
    client = _client()
    started = time.monotonic()
    _login(client, "victim1", "wrong")  # the first failure: no pause
    assert time.monotonic() - started < 0.4
    for _ in range(2):
        _login(client, "victim1", "wrong")
    started = time.monotonic()
    _login(client, "victim1", "wrong", **CAPTCHA)
    assert time.monotonic() - started >= 0.4


# --- the client's address ----------------------------------------------------------------------------------


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(_request(forwarded="198.51.100.20")) == "10.0.0.1"


def test_x_forwarded_for_is_read_behind_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(_request(forwarded="198.51.100.20")) == "198.51.100.20"
    # What the client wrote itself (left of what our proxy appended) is not believed.
    assert ratelimit.client_ip(_request(forwarded="1.1.1.1, 198.51.100.20")) == "198.51.100.20"
    assert ratelimit.client_ip(_request(forwarded="not-an-ip")) == "10.0.0.1"
    assert ratelimit.client_ip(_request()) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert ratelimit.client_ip(_request(forwarded="1.1.1.1, 198.51.100.20, 10.0.0.9")) == "198.51.100.20"


def test_behind_the_proxy_one_client_failures_do_not_touch_another(victim, settings):
    """Every request comes from the proxy's address; with the setting each client is its own IP."""
    UserFactory(username="neighbour")

    def via_proxy(client_ip):
        return _client("10.0.0.1", HTTP_X_FORWARDED_FOR=client_ip)

    for i in range(10):
        _login(via_proxy("203.0.113.5"), f"nobody{i}", "wrong")
    settings.TRUSTED_PROXY_COUNT = 0  # the header ignored: all share the proxy's address
    assert CAPTCHA_LABEL in _login(via_proxy("198.51.100.8"), "neighbour").content.decode()
    cache.clear()
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(10):
        _login(via_proxy("203.0.113.5"), f"nobody{i}", "wrong")
    assert _login(via_proxy("198.51.100.8"), "neighbour").status_code == 302
    assert CAPTCHA_LABEL in _login(via_proxy("203.0.113.5"), "neighbour").content.decode()


# --- one password hash per attempt ------------------------------------------------------------------------


class CountingHasher(MD5PasswordHasher):
    """MD5 as in the other tests, counting each hash computed (make_password and verify both call encode)."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    return CountingHasher


@pytest.mark.parametrize(
    "typed, password",
    [
        ("nobody", "wrong"),  # unknown login
        ("victim1", "wrong"),  # known login, wrong password
        ("victim1@example.ru", "wrong"),  # e-mail
        ("820000777", "wrong"),  # account number
        ("VICTIM1", PASSWORD),  # the right password
        ("nobody@example.ru", "wrong"),  # unknown e-mail
        ("unusable", "wrong"),  # registered by receipt, no password set yet
    ],
)
def test_one_password_hash_per_login_attempt(counting, typed, password, db):
    victim = UserFactory(username="victim1", email="victim1@example.ru")
    AccountLinkFactory(user=victim, account=PersonalAccountFactory(number="820000777"))
    UserFactory(username="unusable", password=None).set_unusable_password()
    counting.calls = 0
    _login(_client(), typed, password)
    assert counting.calls == 1


def test_the_answer_is_the_same_for_known_and_unknown_logins(victim):
    known = _login(_client(), "victim1", "wrong").content.decode()
    unknown = _login(_client("192.0.2.11"), "nobody", "wrong").content.decode()
    assert INVALID in known and INVALID in unknown
    strip = lambda html: html.replace("victim1", "X").replace("nobody", "X")  # noqa: E731

    token = re.compile(r'value="[A-Za-z0-9]{64}"')
    assert token.sub("", strip(known)) == token.sub("", strip(unknown))


def test_an_ipv6_client_counts_as_its_64(db):
    UserFactory(username="neighbour")
    for i in range(10):
        _login(_client(f"2001:db8:1:2::{i + 1:x}"), f"nobody{i}", "wrong")
    assert CAPTCHA_LABEL in _login(_client("2001:db8:1:2::ffff"), "neighbour").content.decode()
    assert _login(_client("2001:db8:1:3::1"), "neighbour").status_code == 302
