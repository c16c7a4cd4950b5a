"""Failed logins counted per user, per IP and per user+IP; what a login form must then ask for.

Why our own counters and not django-axes: axes counts the string typed (so `VICTIM1`, ` victim1`, the e-mail
or the account number of the same person were separate counters) and answers a reached limit by refusing
the login, even with the right password. The login here is the account number printed on every receipt, so
such a lock-out is a weapon: anyone could shut a subscriber out with a few wrong passwords. Here a failure
counts against the person the login points to (whatever way it was typed), and the answer to repeated
failures is a captcha and a slower reply, never a refusal of the right password with the right captcha.
Only the same user from the same address, after many failures, is refused for a while: that pair is the
one guessing the password, and it does not touch the owner logging in from elsewhere.

Thresholds (failures within the window, see docs/SECURITY.md):
- per user: from the 4th attempt after 3 failures in an hour, a captcha;
- per IP (an IPv6 client: its /64): after 10 failures in 15 minutes every login from that address needs a captcha (a household or an
  office behind one NAT keeps logging in, with a captcha);
- per user+IP: after 20 failures in 15 minutes that pair is refused for the rest of the window.
Once a captcha is asked for, each failed attempt answers LOGIN_SLOWDOWN_SECONDS later.
A successful login clears the user's and the user+IP counters (the owner has proved themselves), not the IP's.
"""

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from . import ratelimit, selectors

CAPTCHA_PER_USER = (3, 60 * 60)
CAPTCHA_PER_IP = (10, 15 * 60)
REFUSE_PER_USER_IP = (20, 15 * 60)

INVALID_LOGIN = _(
    "Неверный логин или пароль. Если вы регистрировались по логину, подтвердите e-mail по ссылке из письма."
)
CAPTCHA_NEEDED = _("После нескольких неудачных попыток входа введите ещё и код с картинки.")
REFUSED = _("Слишком много неудачных попыток входа с этим логином с вашего адреса. Попробуйте через 15 минут.")


@dataclass(frozen=True)
class Verdict:
    captcha: bool
    refused: bool


def subject(request, login: str | None) -> str:
    """Whom the typed login points to: `user:<id>` for an existing user however typed (case, spaces, e-mail,
    account number), else the typed text normalised, so guessing unknown logins is counted the same way."""
    typed = (login or "").strip()
    # Asked twice per attempt (the form, then the failure counter): looked up once per request.
    memo = request.__dict__.setdefault("_login_subjects", {}) if request is not None else {}
    if typed not in memo:
        users = selectors.users_for_login(typed) if typed else []
        # A digest, not the text: what strangers type ends up in cache keys, and may be long or odd.
        digest = hashlib.sha256(typed.casefold().encode()).hexdigest()[:32]
        memo[typed] = f"user:{users[0].pk}" if len(users) == 1 else f"name:{digest}"
    return memo[typed]


def client_scope(request) -> str:
    """The client's address as counted: an IPv6 client gets a whole /64 from its provider and could change
    address with every attempt, so it counts as its /64."""
    ip = ratelimit.client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return ip


def verdict(request, login: str | None) -> Verdict:
    """What the next attempt with this login from this client needs; nothing is counted."""
    ip = client_scope(request)
    captcha = ratelimit.exceeded("login-ip", ip, CAPTCHA_PER_IP)
    refused = False
    if login and login.strip():
        who = subject(request, login)
        captcha = captcha or ratelimit.exceeded("login-user", who, CAPTCHA_PER_USER)
        refused = ratelimit.exceeded("login-user-ip", f"{who}|{ip}", REFUSE_PER_USER_IP)
    return Verdict(captcha=captcha or refused, refused=refused)


def slow_down() -> None:
    """A failed attempt after the captcha threshold waits: guessing gets slower, a person hardly notices."""
    seconds = getattr(settings, "LOGIN_SLOWDOWN_SECONDS", 1.0)
    if seconds > 0:
        time.sleep(seconds)


@receiver(user_login_failed, dispatch_uid="users.login_guard.failed")
def _count_failure(sender, credentials, request=None, **kwargs):
    """Every failed authenticate() over the web counts, whichever form called it (subscriber or admin)."""
    if request is None:
        return
    ip = client_scope(request)
    who = subject(request, credentials.get("username"))
    ratelimit.hit("login-user", who, CAPTCHA_PER_USER)
    ratelimit.hit("login-ip", ip, CAPTCHA_PER_IP)
    ratelimit.hit("login-user-ip", f"{who}|{ip}", REFUSE_PER_USER_IP)


@receiver(user_logged_in, dispatch_uid="users.login_guard.succeeded")
def _clear_on_success(sender, request, user, **kwargs):
    if request is None:
        return
    who = f"user:{user.pk}"
    ratelimit.reset("login-user", who)
    ratelimit.reset("login-user-ip", f"{who}|{client_scope(request)}")
