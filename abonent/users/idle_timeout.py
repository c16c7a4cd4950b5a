"""A session that sees no request for a while ends: after settings.SESSION_IDLE_TIMEOUT for a subscriber who
did not tick «Запомнить меня», after settings.STAFF_SESSION_IDLE_TIMEOUT for operators and superusers whatever
they ticked. A subscriber's remembered session is left alone (it lasts its 30 days).

The time of the last activity is kept in the session and checked before any view runs, so a page served whole
from the cache (lib.page_cache) is refused as well. The next request after the timeout logs out and goes to
the login page with a message.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.http import urlencode

LAST_ACTIVITY = "_abonent_last_activity"
# The stamp is rewritten at most once a minute: every rewrite is a session save (a database write, and a cache
# write with cached_db). Once a minute costs one write per active user per minute instead of one per page, and
# renews the session's server-side expiry (settings.SESSION_COOKIE_AGE) as often; the timeout is then exact to
# within this minute.
WRITE_EVERY = 60
MESSAGE = "Сеанс завершён из-за бездействия. Войдите снова."


def idle_timeout(request) -> int | None:
    """Seconds of inactivity this session may have, or None when it has no idle limit."""
    user = request.user
    if not user.is_authenticated:
        return None
    if user.is_staff or user.is_superuser:
        return settings.STAFF_SESSION_IDLE_TIMEOUT
    if request.session.get_expire_at_browser_close():  # «Запомнить меня» not ticked
        return settings.SESSION_IDLE_TIMEOUT
    return None


@receiver(user_logged_in, dispatch_uid="users.idle_clock_starts")
def idle_clock_starts(sender, request, user, **kwargs):
    """The idle time counts from the login, and the first page after it has nothing to write."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware; before anything that serves a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.session_key is not None:  # no session cookie: nobody is logged in, nothing to read
            timeout = idle_timeout(request)
            if timeout is not None:
                now = int(time.time())
                last = request.session.get(LAST_ACTIVITY)
                if last is not None and now - last > timeout:
                    return self._expired(request)
                if last is None or now - last >= WRITE_EVERY:
                    request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    @staticmethod
    def _expired(request):
        logout(request)
        messages.warning(request, MESSAGE)  # kept in the messages cookie: the session was just emptied
        url = settings.LOGIN_URL
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
