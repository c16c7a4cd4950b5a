"""Two-factor login (TOTP) for operators and superusers: with the code required (production) the password
alone opens nothing in the back office; a current code from the device does; a wrong or reused code is refused
in Russian and slows the next try; a staff member without a device sets one up first. In development (the code
not required) the password alone still works until a device is set up. Codes are computed here from the
device's key with django_otp.oath.totp, as an authenticator app does."""

import re
from base64 import b32decode

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from abonent.testing import production
from abonent.testing.factories import OperatorFactory, UserFactory
from abonent.users.admin_site import BackOfficeSite

from .conftest import PASSWORD, later

pytestmark = pytest.mark.django_db
WRONG = "Неверный код"


def code(key: bytes, drift: int = 0) -> str:
    return f"{totp(key, drift=drift):06d}"


def device_code(device: TOTPDevice) -> str:
    return code(device.bin_key)


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED_FOR_STAFF = True


@pytest.fixture
def operator(db):
    return OperatorFactory(username="operator1")


@pytest.fixture
def device(operator):
    return TOTPDevice.objects.create(user=operator, name="Телефон", confirmed=True)


def _password_step(client, username="operator1", path="/admin/login/"):
    response = client.post(path, {"username": username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:300]
    return response


def _verify(client, value):
    return client.post("/two-factor/", {"code": value, "next": "/admin/"})


@pytest.mark.parametrize("login_path", ["/admin/login/", "/login/"])
def test_password_alone_does_not_open_the_back_office(client, required, device, login_path):
    _password_step(client, path=login_path)
    for path in ("/admin/", "/admin/housing/building/", "/cabinet/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/two-factor/?next=")
    page = client.get("/two-factor/?next=/admin/").content.decode()
    assert "Второй шаг входа" in page


def test_a_current_code_opens_it(client, required, device):
    _password_step(client)
    before = client.session.session_key
    response = _verify(client, device_code(device))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session.session_key != before  # a new session id with the second factor
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/housing/building/").status_code == 200


def test_wrong_code_is_refused_in_russian_and_slows_the_next_try(client, required, device):
    _password_step(client)
    good = device_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = _verify(client, wrong)
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # Straight after a failure even the right code waits (django-otp's throttling, 1 s, then 2, 4…).
    response = _verify(client, good)
    assert "Слишком много неверных кодов подряд" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    with time_machine.travel(later(seconds=3)):
        assert _verify(client, device_code(device))["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Введите код из приложения"),
        ("12345", WRONG),
        ("full-width", WRONG),  # the current code in full-width digits: int() would take them
        ("abcdef", WRONG),
        ("1" * 13, "Код — это 6 цифр"),
    ],
)
def test_malformed_codes_are_refused_in_russian(client, required, device, value, message):
    _password_step(client)
    if value == "full-width":
        value = device_code(device).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    response = _verify(client, value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_used_code_is_not_accepted_again(required, device):
    first, second = Client(), Client()
    _password_step(first)
    value = device_code(device)
    assert _verify(first, value).status_code == 302
    _password_step(second)
    assert WRONG in _verify(second, value).content.decode()
    assert second.get("/admin/").status_code == 302


def test_superuser_owes_the_code_too(required):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(boss)
    assert client.get("/admin/")["Location"] == "/two-factor/setup/?next=%2Fadmin%2F"


def _secret_on(page: str) -> bytes:
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def test_staff_without_a_device_sets_one_up_before_reaching_the_back_office(client, required, operator):
    _password_step(client)
    response = client.get("/admin/")
    assert response["Location"] == "/two-factor/setup/?next=%2Fadmin%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Настройка двухфакторного входа" in page and 'src="/two-factor/setup/qr.svg"' in page
    key = _secret_on(page)
    qr = client.get("/two-factor/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    assert client.get("/admin/").status_code == 302  # still closed while setting up
    assert WRONG in client.post("/two-factor/setup/", {"code": "000000"}).content.decode()
    with time_machine.travel(later(seconds=3)):  # past the throttle of that wrong code
        response = client.post("/two-factor/setup/", {"code": code(key), "next": "/admin/"})
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
    device = TOTPDevice.objects.get(user=operator)
    assert device.confirmed and device.bin_key == key
    # The next login asks for the code from that device.
    again = Client()
    _password_step(again)
    assert again.get("/admin/")["Location"].startswith("/two-factor/?next=")


def test_a_password_alone_cannot_replace_the_device(client, required, device):
    _password_step(client)
    assert client.get("/two-factor/setup/")["Location"].startswith("/two-factor/?next=")
    assert client.get("/two-factor/setup/qr.svg").status_code == 404
    assert list(TOTPDevice.objects.filter(user=device.user)) == [device]


def test_a_verified_staff_member_replaces_the_device(client, required, device):
    _password_step(client)
    _verify(client, device_code(device))
    key = _secret_on(client.get("/two-factor/setup/").content.decode())
    assert "уже включён" in client.get("/two-factor/setup/").content.decode()
    assert client.post("/two-factor/setup/", {"code": code(key)}).status_code == 302
    assert [d.bin_key for d in TOTPDevice.objects.filter(user=device.user)] == [key]  # the old one is gone


def test_subscribers_are_never_asked(client, required, subscriber):
    client.post("/login/", {"username": "ivanov", "password": PASSWORD})
    assert client.get("/cabinet/").status_code == 200
    assert client.get("/two-factor/").status_code == 404
    assert client.get("/two-factor/setup/").status_code == 404
    assert not TOTPDevice.objects.exists()


def test_in_development_the_password_alone_works_and_the_code_is_offered(client, operator, settings):
    assert settings.OTP_REQUIRED_FOR_STAFF is False  # DEBUG=1: the demo logins work with a password
    _password_step(client)
    page = client.get("/admin/").content.decode()
    assert 'href="/two-factor/setup/"' in page and "Двухфакторный вход" in page
    key = _secret_on(client.get("/two-factor/setup/").content.decode())
    assert client.post("/two-factor/setup/", {"code": code(key)}).status_code == 302
    # Once set up, the code is asked for in development as well.
    again = Client()
    _password_step(again)
    assert again.get("/admin/")["Location"].startswith("/two-factor/?next=")


def test_the_admin_site_itself_refuses_a_session_that_owes_a_code(rf, required, device):
    assert isinstance(admin.site, BackOfficeSite)
    request = rf.get("/admin/")
    request.user = device.user
    request.user.is_verified = lambda: False  # what OTPMiddleware says of a session without the code
    assert not admin.site.has_permission(request)
    request = rf.get("/admin/")
    request.user = device.user
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_production_settings_require_the_code():
    script = "from django.conf import settings; print(settings.OTP_REQUIRED_FOR_STAFF)"
    for flag, expected in ((None, "True"), ("0", "False")):
        run_env = dict(production.PRODUCTION, **({"OTP_REQUIRED_FOR_STAFF": flag} if flag else {}))
        done = production.python(script, run_env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == expected


def test_a_superuser_removes_a_lost_device_in_the_back_office(admin_client, device):
    page = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "Двухфакторный вход" in page and "operator1" in page
    assert device.key not in admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.exists()


def test_operators_do_not_see_the_devices(device):
    client = Client()
    client.force_login(OperatorFactory())
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403
