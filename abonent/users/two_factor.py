"""Two-factor login (TOTP, django-otp) for operators and superusers: who owes a code, and checking one.

A staff member owes a code when the session is not verified by a device and either the code is required
(settings.OTP_REQUIRED_FOR_STAFF, on in production) or they have set up a device (development only offers it,
but once set up it is asked for: a device nobody is asked for protects nothing). Such a session reaches only
the code pages and logging out: TwoFactorMiddleware sends it to the code page, or, with no device yet, to the
set-up page. Subscribers are never asked.
"""

import math
import re
from base64 import b32encode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

# What a session that owes a code may still reach: the code and set-up pages, logging out, assets.
ALLOWED_PREFIXES = ("/two-factor/", "/logout/", "/admin/logout/", "/static/", "/captcha/")
CODE = re.compile(r"[0-9]{6}")  # ASCII only: int() would take full-width digits too


def applies_to(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)  # installed by django_otp's OTPMiddleware
    return bool(check and check())


def code_pending(request) -> bool:
    """The session's user is staff and must still give a code before going anywhere. Kept on the request: the
    middleware and the admin site both ask."""
    pending = getattr(request, "_two_factor_pending", None)
    if pending is None:
        user = request.user
        pending = (
            applies_to(user)
            and not is_verified(user)
            and (settings.OTP_REQUIRED_FOR_STAFF or confirmed_device(user) is not None)
        )
        request._two_factor_pending = pending
    return pending


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None when the code is right; otherwise the Russian reason. A wrong code makes the device wait longer
    before the next try (django-otp's throttling: OTP_TOTP_THROTTLE_FACTOR × 2ⁿ seconds), and a code already
    used is not accepted again."""
    allowed, extra = device.verify_is_allowed()
    if not allowed:
        if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            seconds = max(1, math.ceil((extra["locked_until"] - timezone.now()).total_seconds()))
            return f"Слишком много неверных кодов подряд. Повторите через {seconds} с."
        return "Проверка кода сейчас недоступна. Повторите позже."
    if not CODE.fullmatch(code) or not device.verify_token(code):
        return "Неверный код. Введите 6 цифр, которые сейчас показывает приложение-аутентификатор."
    return None


def base32_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it by hand: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def pending_device(user, *, create: bool) -> TOTPDevice | None:
    """The device being set up (not confirmed yet): the same one until confirmed, so the QR code on the screen
    stays valid between showing the page and typing the code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None and create:
        device = TOTPDevice.objects.create(user=user, name="Приложение-аутентификатор", confirmed=False)
    return device


class TwoFactorMiddleware:
    """After OTPMiddleware: a staff session that owes a code goes to the code page (or to set-up) first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(ALLOWED_PREFIXES) and code_pending(request):
            has_device = confirmed_device(request.user) is not None
            url = reverse("users:two_factor_verify" if has_device else "users:two_factor_setup")
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)
