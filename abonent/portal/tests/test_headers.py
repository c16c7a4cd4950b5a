"""Security headers: a strict Content-Security-Policy on every page, no-store on everything a logged-in user
gets, and with DEBUG=0 (a fresh process: settings.py is read at import) HSTS, the SSL redirect and a clean
`check --deploy`."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from abonent.receipts.tests.conftest import published  # noqa: F401 - the fixture: an account with receipts
from abonent.testing import factories as f
from abonent.testing.production import PRODUCTION, python, run

pytestmark = pytest.mark.django_db
NO_STORE = "no-store"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_csp(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert policy[name] == ["'self'"], (name, policy[name])
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_public_pages_have_the_policy_and_may_be_cached(client):
    for url in ("/", "/login/", "/tariffs/", "/no-such-page/"):
        response = client.get(url)
        assert_strict_csp(response)
        assert NO_STORE not in response.get("Cache-Control", ""), url


def test_personal_pages_and_files_are_no_store(client, published):  # noqa: F811
    account = published["account"]
    client.force_login(f.AccountLinkFactory(account=account).user)
    base = f"/cabinet/accounts/{account.pk}"
    for url in (
        "/",
        "/cabinet/",
        f"{base}/",
        f"{base}/history/",
        f"{base}/history/?format=csv",
        f"{base}/?format=xlsx",
        f"{base}/receipts/",
        f"{base}/receipts/2026-10.pdf",
        f"{base}/receipts/2026-10/print/",
        f"{base}/receipts/2026-10/qr.png",
        "/cabinet/pay/",
        "/profile/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert NO_STORE in cache_control and "private" in cache_control, (url, cache_control)
        assert_strict_csp(response)


def test_back_office_is_no_store_under_the_policy(client):
    client.force_login(f.OperatorFactory())
    for url in ("/admin/", "/admin/payments/payment/", "/admin/support/appeal/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NO_STORE in response["Cache-Control"]
        assert_strict_csp(response)


# Inline code the policy would block: <style>, style="…", <script> without src, on…= handlers, javascript: links.
INLINE = re.compile(
    r"<style|\sstyle\s*=|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def test_no_template_needs_unsafe_inline():
    root = Path(settings.BASE_DIR) / "abonent"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        if "email" in template.parent.name:  # e-mails are not web pages: mail clients need inline styles
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{template.relative_to(root)}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_html_from_python_has_no_inline_style():
    root = Path(settings.BASE_DIR) / "abonent"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts and re.search(r"""<[a-z][^>]*\sstyle=""", p.read_text())
    ]
    assert offenders == []


# --- DEBUG=0 in a fresh process ---

REQUEST = """
from django.test import Client
r = Client().get("/payments/notify/sandbox/", **{extra})
print("status", r.status_code)
print("location", r.get("Location", ""))
print("hsts", r.get("Strict-Transport-Security", ""))
print("csp", r.get("Content-Security-Policy", ""))
"""


def production_get(env, *, https: bool) -> dict[str, str]:
    extra = (
        '{"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "lk.example.ru"}'
        if https
        else '{"HTTP_HOST": "lk.example.ru"}'
    )
    # The Russian error pages link the stylesheet; the manifest collectstatic writes in a deployment is not built
    # for a test, so the plain storage serves the name.
    env = {**env, "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    done = python(REQUEST.replace("{extra}", extra), env)
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) if " " in line else (line, "") for line in done.stdout.splitlines())


def test_production_redirects_to_https_and_sends_hsts():
    plain = production_get(PRODUCTION, https=False)
    assert plain["status"] == "301"
    assert plain["location"] == "https://lk.example.ru/payments/notify/sandbox/"
    secure = production_get(PRODUCTION, https=True)
    assert secure["status"] == "405"  # reached the view: a notification is a POST
    assert secure["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in secure["csp"]


def test_behind_a_proxy_that_does_it_both_can_be_turned_off():
    env = {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    plain = production_get(env, https=False)
    assert plain["status"] == "405"
    assert plain["hsts"] == ""


def test_check_deploy_with_the_documented_environment_has_no_warnings():
    done = run(["manage.py", "check", "--deploy"], PRODUCTION)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "WARNING" not in output and "?: (" not in output, output
    assert "System check identified no issues" in output
