"""A staff login with the second factor in a real browser, the code required as in production: the password,
then setting up the authenticator from the QR code on the page (read back from a screenshot with zxing-cpp),
the back office; the next login asks for the code. Codes are computed here from the QR code's secret."""

import io
from base64 import b32decode
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import zxingcpp
from django_otp.oath import totp
from PIL import Image

from abonent.testing.factories import OperatorFactory

from .conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _password_step(page, base):
    page.goto(base + "/admin/")
    page.fill("#id_username", "operator1")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_staff_login_with_a_totp_code(live_server, page, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    OperatorFactory(username="operator1")
    _password_step(page, live_server.url)
    page.wait_for_url("**/two-factor/setup/**")
    shot = page.locator("img[alt^='QR-код']").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert found, "QR code not readable"
    uri = urlparse(found[0].text)
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert unquote(uri.path) == "/Абонент:operator1"
    secret = parse_qs(uri.query)["secret"][0]
    assert secret in page.inner_text("#totp-secret").replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))

    page.fill("#id_code", f"{totp(key):06d}")
    page.click("button:has-text('Включить')")
    page.wait_for_url("**/admin/")
    assert "Реестр организации" in page.inner_text("body")

    page.click("#logout-form button")
    _password_step(page, live_server.url)
    page.wait_for_url("**/two-factor/?next=**")
    valid = {f"{totp(key, drift=d):06d}" for d in range(-2, 4)}
    page.fill("#id_code", next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid))
    page.click("button:has-text('Подтвердить')")
    assert "Неверный код" in page.inner_text("body")
    page.wait_for_timeout(2_100)  # django-otp's throttle after the wrong code: 1 s
    page.fill("#id_code", f"{totp(key, drift=1):06d}")  # the next step's code: the first one is used up
    page.click("button:has-text('Подтвердить')")
    page.wait_for_url("**/admin/")
    assert "Реестр организации" in page.inner_text("body")
