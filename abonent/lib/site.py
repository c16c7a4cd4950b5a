"""The address the site is served at, for the links in letters.

SITE_URL from the settings when it is set (production names its public address; `make run` passes the host and
port it serves at). Without it a letter built while a request is being answered links to that request's host,
so a server started on another port still sends links that open; a letter built outside any request (a command,
a scheduled task) falls back to the development server's default address.
"""

from contextvars import ContextVar

from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"

_request_origin: ContextVar[str | None] = ContextVar("abonent_request_origin", default=None)


def site_url() -> str:
    """The site's address without the trailing slash, e.g. "https://lk.example.ru"."""
    return (settings.SITE_URL or _request_origin.get() or DEFAULT_SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    """`path` ("/cabinet/pay/") on the site's address."""
    return site_url() + path


class RequestOriginMiddleware:
    """Remembers the scheme and host of the request being answered, for site_url(). After CommonMiddleware,
    which has already refused a host that is not in ALLOWED_HOSTS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
