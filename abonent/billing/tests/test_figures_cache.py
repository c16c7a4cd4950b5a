"""The subscriber's figures cache (billing.figures; docs/BILLING.md, «Кэш показателей»), alone and under the whole-page cache: a warm home page and account card run
few queries, every event that changes figures shows at once on a page cached before it (real code paths, no
mocks), and the access check runs before the cache: another user's account is 404 even when it is cached."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle, figures, ledger, recalculations
from abonent.billing.tests.test_statements import _ledger_debt, _setup
from abonent.lib.numbers import money
from abonent.orgs.dates import add_months
from abonent.payments import registry
from abonent.payments import services as payments
from abonent.payments.tests.test_registry import build, line
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[False, True], ids=["figures-cache", "page-cache"])
def whole_pages_cached(request, settings):
    """Every event below must also renew the whole pages cached per user (lib.page_cache)."""
    settings.SUBSCRIBER_PAGE_CACHE = request.param


def _pages(client, account):
    return client.get("/cabinet/").content.decode(), client.get(f"/cabinet/accounts/{account.pk}/").content.decode()


def _money(amount: D) -> str:
    return money(abs(amount))


def _assert_debt_shown(client, account):
    debt = _ledger_debt(account)
    home, card = _pages(client, account)
    if debt > 0:
        assert f'Задолженность: <strong class="debt">{_money(debt)}' in home
        assert f"Долг: {_money(debt)}" in card
    elif debt < 0:
        assert f'Переплата: <strong class="advance">{_money(debt)}' in home
        assert f"Переплата: {_money(debt)}" in card
    return debt


def test_warm_pages_run_few_queries(client, django_assert_max_num_queries, django_assert_num_queries):
    org, account, user, last = _setup(3)
    client.force_login(user)
    _pages(client, account)  # warms the cache
    with django_assert_max_num_queries(4):  # session, user, links, meters near their verification's end
        assert client.get("/cabinet/").status_code == 200
    with django_assert_max_num_queries(3):  # session, user, the account with the access check
        assert client.get(f"/cabinet/accounts/{account.pk}/").status_code == 200


def test_payment_credit_and_cancel_show_at_once(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    before = _assert_debt_shown(client, account)
    payment = payments.payment_cash_create(
        account=account, amount=D("123.45"), paid_on=add_months(last.month, 1), actor=None
    )
    after = _assert_debt_shown(client, account)
    assert after == before - D("123.45")
    payments.payment_cancel(payment=payment, reason="Ошибка кассира", actor=None)
    assert _assert_debt_shown(client, account) == before


def test_ledger_post_and_reverse_payment_show_at_once(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    before = _assert_debt_shown(client, account)
    day = add_months(last.month, 1)
    ledger.ledger_post_payment(account=account, amount=D("77"), paid_on=day, source="t", external_id="x")
    assert _assert_debt_shown(client, account) == before - D("77")
    ledger.ledger_reverse_payment(account=account, amount=D("77"), source="t", external_id="x", on=day)
    assert _assert_debt_shown(client, account) == before


def test_publish_shows_the_new_month_at_once(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    before = _assert_debt_shown(client, account)
    home, card = _pages(client, account)
    assert "Начисление за февраль 2024" in card
    cycle.period_close(organisation=org, month=dt.date(2024, 3, 1))
    after = _assert_debt_shown(client, account)
    assert after > before
    assert "Начисление за март 2024" in _pages(client, account)[1]


def test_recalculation_bumps_and_shows_once_published(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    before = _assert_debt_shown(client, account)
    march = cycle.period_close(organisation=org, month=dt.date(2024, 3, 1), step="close_readings")
    march = cycle.period_close(organisation=org, month=march.month, step="calculate")
    version = figures.account_figures_version(account)
    recalculations.recalculation_create(
        account=account, corrected_period=last, amount=D("-40.10"), reason="Перерасчёт по заявлению", period=march
    )
    assert figures.account_figures_version(account) != version
    assert _assert_debt_shown(client, account) == before  # booked in March, not published yet
    cycle.period_close(organisation=org, month=march.month)
    after = _assert_debt_shown(client, account)
    assert "-40,10" in _pages(client, account)[1]
    assert after == _ledger_debt(account)


def test_registry_import_shows_at_once(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    before = _assert_debt_shown(client, account)
    day = add_months(last.month, 1).replace(day=3)
    data = build([line(account.number, "250.00", "R1", date=f"{day:%d/%m/%Y}")])
    result = registry.registry_import(organisation=org, data=data, file_name="r.txt")
    assert result.created == 1
    assert _assert_debt_shown(client, account) == before - D("250")


@pytest.mark.parametrize("path", ["", "debt/", "history/"])
def test_cached_account_of_another_user_is_404(client, path):
    org, account, user, last = _setup(1)
    client.force_login(user)
    _pages(client, account)  # the owner warms the cache
    stranger = f.AccountLinkFactory().user
    client.force_login(stranger)
    assert client.get(f"/cabinet/accounts/{account.pk}/{path}").status_code == 404
    assert f"Л/С № {account.number}" not in client.get("/cabinet/").content.decode()


def test_services_off_show_on_the_card_at_once(client):
    # The card lists the services the account does not receive; a row added, changed or removed in the back
    # office shows on a card cached before it.
    org, account, user, last = _setup(2)
    client.force_login(user)
    card = f"/cabinet/accounts/{account.pk}/"
    assert "Услуги, которые не оказываются" not in client.get(card).content.decode()  # cached without any
    off = f.AccountServiceOffFactory(account=account, since=dt.date(2026, 8, 1), reason="Дом не подключён")
    page = client.get(card).content.decode()
    assert "Услуги, которые не оказываются" in page
    assert f"{off.service.name}: не оказывается с 01.08.2026 — Дом не подключён." in page
    off.until = dt.date(2026, 9, 30)
    off.save()
    assert f"{off.service.name}: не оказывается с 01.08.2026 по 30.09.2026" in client.get(card).content.decode()
    off.delete()
    assert "Услуги, которые не оказываются" not in client.get(card).content.decode()
