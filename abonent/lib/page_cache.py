"""Whole subscriber pages cached per user: the home and the account card are read many times a month and change
only when their figures do, so a page rendered once is served again from the cache until one of these changes:

- the figures of an account it shows: their versions come from the source the app that owns the figures registers
  (billing's ready(): billing.figures' organisation and account versions, bumped by a publish, a payment,
  a recalculation, an edit of the register). Without a registered source nothing is cached;
- the user (a login name, staff rights) or the user's linked accounts: the user's own page version, bumped by
  the receivers in portal.signals; a link removed makes the card miss, so the access check runs again;
- the day (pages say "today" in places): the local day of the organisations of the accounts shown, which the
  source gives (a subscriber in Kamchatka gets the new day at midnight there, not at the server's), the server's
  own day on a page without accounts; or the timeout.

An entry is written only after the view ran its access check and answered 200, under the user's id: another
user never reads it. Pages with a flash message waiting, a query string (exports, filters) or another method
than GET are never cached. The CSRF token differs per response: the stored page keeps a marker in its place,
filled in when served.

Only with a cache shared by every process (Redis, settings.SUBSCRIBER_PAGE_CACHE): with local memory a bump
would reach one gunicorn worker only. Which views are cached is the views' own choice (@per_user).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

PREFIX = "portal:page"  # kept from when this lived in portal: a deploy keeps the warm pages
CSRF_MARKER = "__abonent_csrf_token__"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


@dataclass(frozen=True)
class Source:
    """Where a page's figures get their versions: lib knows nothing of accounts, the owner of the figures does."""

    key: Callable[[object], tuple]  # an object a page shows → what the entry keeps of it (picklable)
    versions: Callable[[list[tuple]], str]  # those keys → a text that changes whenever their figures do
    timeout: Callable[[], int]  # seconds an entry may be kept
    day: Callable[[list[tuple]], str]  # those keys → the local day(s) of their organisations, as text


_source: Source | None = None


def register_source(source: Source | None) -> None:
    global _source
    _source = source


def enabled() -> bool:
    return _source is not None and bool(getattr(settings, "SUBSCRIBER_PAGE_CACHE", False))


def _user_key(user_id: int) -> str:
    return f"{PREFIX}:u:{user_id}"


def user_pages_bump(user_id: int) -> None:
    """The user, or the user's links to accounts, changed: every page cached for the user is stale."""
    cache.set(_user_key(user_id), uuid.uuid4().hex[:12], None)


def depends_on(request: HttpRequest, shown: Iterable) -> None:
    """Called by a cached view once its access check passed: the page shows these objects' figures (accounts)."""
    if _source is not None:
        request.page_accounts = [_source.key(obj) for obj in shown]


def per_user(view):
    """Serve the view's page from the cache while nothing it depends on changed (see the module's text).
    Goes inside login_required: the user is known."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = f"{PREFIX}:{request.user.pk}:{request.path}"
        user_version, entry = _lookup(request.user.pk, key)
        if entry is not None and entry["user"] == user_version and _fresh(entry):
            return _served(request, entry)
        response = view(request, *args, **kwargs)
        _store(request, response, key, user_version)
        return response

    return wrapped


def _lookup(user_id: int, key: str) -> tuple[str, dict | None]:
    """The user's page version and the cached page, in one round trip."""
    user_key = _user_key(user_id)
    found = cache.get_many([user_key, key])
    if user_key not in found:
        user_pages_bump(user_id)
        return cache.get(user_key), None
    return found[user_key], found.get(key)


def _store(request: HttpRequest, response: HttpResponse, key: str, user_version: str) -> None:
    accounts = getattr(request, "page_accounts", None)  # set by the view once its access check passed
    if response.status_code != 200 or accounts is None or response.streaming:
        return
    entry = {
        "user": user_version,
        "accounts": accounts,
        "versions": _versions(accounts),
        "day": _day(accounts),
        "body": CSRF_VALUE.sub(rf"\g<1>{CSRF_MARKER}\g<2>", response.content.decode()),
        "content_type": response["Content-Type"],
    }
    cache.set(key, entry, _source.timeout())


def _cacheable(request: HttpRequest) -> bool:
    return (
        enabled()
        and request.method == "GET"
        and not request.GET
        and request.user.is_authenticated
        and "messages" not in request.COOKIES  # a flash message waits to be shown (cookie storage)
        and "_messages" not in request.session  # (session storage, for long ones)
    )


def _versions(keys: list[tuple]) -> str:
    return _source.versions(keys)


def _day(keys: list[tuple]) -> str:
    return _source.day(keys) if keys else f"{timezone.localdate():%Y-%m-%d}"


def _fresh(entry: dict) -> bool:
    """Same day and same figures as when the page was rendered (the day first: it needs no cache round trip)."""
    return entry.get("day") == _day(entry["accounts"]) and entry["versions"] == _versions(entry["accounts"])


def _served(request: HttpRequest, entry: dict) -> HttpResponse:
    body = entry["body"]
    if CSRF_MARKER in body:
        body = body.replace(CSRF_MARKER, get_token(request))
    return HttpResponse(body, content_type=entry["content_type"])
