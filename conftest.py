"""Fixtures shared by the whole suite: fast hashing, the organisation-scoped register, a real browser."""

import importlib
import os

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_migrate

# Playwright's sync API runs an event loop in the test thread; the live server's database calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True, scope="session")
def _jobs_in_the_test_process():
    """A job started in a test runs its Celery tasks right here, through the same task functions a worker runs
    (task_always_eager); on commit, as in production, so a test sees the job queued until its transaction ends.
    The tests of abonent/jobs/tests/test_workers.py send them to real worker processes instead."""
    from abonent.celery import app  # noqa: PLC0415  (Django's settings are configured by now)

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _penalty_rates_after_flush():
    """A transactional test (live_server) empties every table when it ends, the penalty rates seeded by a migration
    included, and the tests after it would find no rate (a close that needs one stops). The flush sends
    post_migrate: the seeded rates are put back then."""
    post_migrate.connect(_reseed_penalty_rates, dispatch_uid="tests.reseed_penalty_rates")


def _reseed_penalty_rates(sender, using, **kwargs):
    if sender.label != "billing":
        return

    seeded = importlib.import_module("abonent.billing.migrations.0004_penalty_rates")
    if not apps.get_model("billing", "PenaltyRate").objects.using(using).exists():
        seeded.seed(apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids come back after a rollback, and with them cached figures."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only when a browser test runs)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        # What the browser showed when the test failed: the first thing anyone reading a CI log needs.
        try:
            text = page.inner_text("body", timeout=2_000)[:3_000]
        except Exception as exc:  # the page may be gone; say so rather than hide the original failure
            text = f"<no page text: {exc.__class__.__name__}>"
        report.sections.append(("browser at failure", f"{page.url}\n{text}"))
    return report


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies, in Russian, phone- or desk-sized as the test asks."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
