"""Every URL of the project, fed hostile values, answers 2xx/3xx/4xx with a Russian page — never a 500.

Table-driven: the URL patterns come from the resolver, the query parameters from the views' sources
(request.GET.get("…")) and the admin's filter links, the form fields from the page itself. A new URL, filter or
form field is swept without touching this file.
"""

import logging
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, quote

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

from abonent.news.models import News
from abonent.support.models import Appeal, PaidService
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db

# Raw strings put into URLs as they are (so "%FF%FE" reaches Django as the bytes FF FE, not UTF-8).
HOSTILE = [
    "99999999999999999999",
    "-1",
    "abc",
    "x" * 5000,
    "9" * 5000,  # past int()'s 4 300-digit limit for str → int
    "%FF%FE",
    "%EF%BC%95%EF%BC%98",  # full-width «５８»
]
# The same for form bodies (the test client encodes these as UTF-8; %FF%FE arrives as literal text there,
# so the non-UTF-8 body is sent separately, raw).
HOSTILE_FORM = ["99999999999999999999", "-1", "abc", "x" * 5000, "9" * 5000, "５８", "9999-12-31"]
HUGE_ID = "99999999999999999999"
ADMIN_IDS = [HUGE_ID, "%FF%FE"]
# Filter values: the admin's own code is the same for every filter, what differs is ours (ids, years, months).
FILTER_VALUES = [HUGE_ID, "abc", "%FF%FE"]
SEARCH_VALUES = [HUGE_ID, "x" * 5000, "%FF%FE"]
ADMIN_FORM = [HUGE_ID, "abc", "9" * 5000, "５８", "9999-12-31"]

SOURCES = Path(__file__).resolve().parents[2]
GET_NAMES = re.compile(r"""request\.GET(?:\.get\(|\[)\s*["']([\w-]+)["']""")
# A query parameter every page may be sent, read or not.
COMMON_QUERY = ["page", "q", "next", "o", "p"]


def query_names(callback) -> list[str]:
    """The query parameters the view's module reads, and the common ones."""
    module = sys.modules.get(getattr(callback, "__module__", ""), None)
    source = Path(getattr(module, "__file__", "") or "/nonexistent")
    found = GET_NAMES.findall(source.read_text(encoding="utf-8")) if source.is_file() else []
    return sorted(set(COMMON_QUERY) | set(found))


def patterns(resolver=None, prefix=""):
    """(regex source of the whole URL, pattern name) for every endpoint, walking includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").removesuffix(r"\Z").removesuffix("$")
        if isinstance(entry, URLResolver):
            yield from patterns(entry, regex)
        elif isinstance(entry, URLPattern):
            yield regex, entry.callback


def url_forms(regex: str) -> list[tuple[str, list[str]]]:
    """The URL as a %-format string with its parameter names (the resolver's own reverse helper)."""
    return [(fmt, params) for fmt, params in normalize(regex)]


class Sweep:
    def __init__(self, client: Client, valid: dict[str, str]):
        self.client = client
        self.client.raise_request_exception = True
        self.valid = valid
        self.failures: list[str] = []
        # The sweep makes thousands of 404s; their log lines would drown the report.
        logging.getLogger("django.request").setLevel(logging.CRITICAL)

    def check(self, method: str, url: str, response=None, exc=None) -> None:
        if exc is not None:
            self.failures.append(f"{method} {url[:200]}: {exc.__class__.__name__}: {str(exc)[:200]}")
            return
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{method} {url[:200]}: HTTP {status}")
            return
        kind = response.get("Content-Type", "")
        if status >= 400 and kind.startswith("text/html"):
            body = response.content.decode("utf-8", "replace")
            if not re.search("[а-яА-ЯёЁ]", body):
                self.failures.append(f"{method} {url[:200]}: HTTP {status} page not in Russian")

    def get(self, url: str):
        try:
            response = self.client.get(url)
        except Exception as exc:
            self.check("GET", url, exc=exc)
            return None
        self.check("GET", url, response)
        return response

    def post(self, url: str, data):
        try:
            response = self.client.post(url, data)
        except Exception as exc:
            self.check("POST", url, exc=exc)
            return
        self.check("POST", url, response)

    def post_raw(self, url: str, body: bytes):
        try:
            response = self.client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
        except Exception as exc:
            self.check("POST raw", url, exc=exc)
            return
        self.check("POST raw", url, response)

    def endpoint(
        self, fmt, params, callback=None, *, queries=True, forms=True, values=HOSTILE, form_values=HOSTILE_FORM
    ):
        base = "/" + fmt % {p: self.valid.get(p, "1") for p in params}
        for param in params:
            for value in values:
                self.get("/" + fmt % {p: (value if p == param else self.valid.get(p, "1")) for p in params})
        if queries:
            for name in query_names(callback):
                for value in HOSTILE:
                    self.get(f"{base}?{name}={value}")
        if forms:
            self.forms(base, form_values)

    def forms(self, url: str, values=HOSTILE_FORM) -> None:
        page = self.get(url)
        if page is None or page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            return
        fields = sorted(
            set(re.findall(r"""<(?:input|select|textarea)[^>]*\sname=["']([^"']+)["']""", page.content.decode()))
        )
        fields = [name for name in fields if name != "csrfmiddlewaretoken"]
        if not fields:
            return
        # A field named after an id (value_<meter id>, amount_<account id>) is also sent with a huge id.
        renamed = [re.sub(r"\d+", HUGE_ID, name) for name in fields if re.search(r"\d", name)]
        for value in values:
            self.post(url, {name: value for name in fields + renamed})
        raw = "&".join(f"{quote(name)}=%FF%FE" for name in fields + renamed).encode()
        self.post_raw(url, raw)

    def admin_changelists(self) -> None:
        """Each changelist with its search and every filter parameter its sidebar links to, set to hostile."""
        for model, model_admin in admin.site._registry.items():
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            hierarchy = model_admin.date_hierarchy
            dates = {f"{hierarchy}__{part}" for part in ("year", "month", "day")} if hierarchy else set()
            page = self.get(url)
            if page is None or page.status_code != 200:
                continue
            links = re.findall(r'href="\?([^"]*)"', page.content.decode())
            names = {name for link in links for name, _ in parse_qsl(link.replace("&amp;", "&"))}
            for name in sorted(names | dates | {"o", "p"}):
                for value in FILTER_VALUES:
                    self.get(f"{url}?{name}={value}")
            for value in SEARCH_VALUES:
                self.get(f"{url}?q={value}")

    def report(self) -> None:
        assert not self.failures, f"{len(self.failures)} bad answers:\n" + "\n".join(self.failures[:60])


@pytest.fixture
def world():
    link = f.AccountLinkFactory()
    account = link.account
    organisation = account.organisation
    meter = f.MeterFactory(premises=account.premises)
    appeal = Appeal.objects.create(
        organisation=organisation, account=account, author=link.user, topic=Appeal.Topic.values[0], text="Течёт кран"
    )
    service = PaidService.objects.create(organisation=organisation, name="Замена смесителя", price="1500.00")
    news = News.objects.create(
        organisation=organisation, title="Отключение воды", body="Завтра.", published_on="2026-01-01"
    )
    operator = f.OperatorFactory(organisation=organisation)
    valid = {
        "account_id": str(account.pk),
        "meter_id": str(meter.pk),
        "appeal_id": str(appeal.pk),
        "news_id": str(news.pk),
        "link_id": str(link.pk),
        "code": organisation.code,
        "month": "2026-10",
        "service": str(service.pk),
    }
    return {"subscriber": link.user, "operator": operator, "valid": valid}


def subscriber_patterns():
    return [(*form, view) for regex, view in patterns() if not regex.startswith("admin/") for form in url_forms(regex)]


def admin_patterns():
    return [(*form, view) for regex, view in patterns() if regex.startswith("admin/") for form in url_forms(regex)]


def test_subscriber_pages_never_answer_500(world):
    client = Client()
    client.force_login(world["subscriber"])
    sweep = Sweep(client, world["valid"])
    for fmt, params, view in subscriber_patterns():
        if "logout" in fmt or "delete" in fmt:
            continue  # they end the session or the user; the anonymous sweep requests them
        sweep.endpoint(fmt, params, view)
    sweep.report()


def test_anonymous_public_pages_never_answer_500(world):
    sweep = Sweep(Client(), world["valid"])
    for fmt, params, view in subscriber_patterns():
        sweep.endpoint(fmt, params, view, queries=False)
    sweep.report()


@pytest.mark.parametrize("role", ["operator", "superuser"])
def test_back_office_never_answers_500(world, role, django_user_model):
    client = Client()
    user = world["operator"] if role == "operator" else f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    sweep = Sweep(client, world["valid"])
    sweep.admin_changelists()
    if role == "superuser":
        return sweep.report()  # the object URLs and forms are the same code; the operator's run sweeps them
    for fmt, params, view in admin_patterns():
        if "logout" in fmt:
            continue
        # Object URLs of every model run the same admin code: two hostile ids are enough there.
        sweep.endpoint(
            fmt, params, view, queries=False, forms=fmt.endswith("add/"), values=ADMIN_IDS, form_values=ADMIN_FORM
        )
    sweep.report()
