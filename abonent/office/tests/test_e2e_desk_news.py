"""In a real browser: the accountant takes a payment at the cash desk and sees it on the account; the dispatcher
writes and publishes a news item and the portal's news page shows it."""

import pytest

from abonent.news.models import News
from abonent.office.models import Role
from abonent.payments.models import Payment

from .conftest import make_operator
from .test_e2e_office import _published_debt, login
from .world import world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_accountant_takes_a_payment_at_the_cash_desk_and_sees_it_on_the_account(live_server, page):
    w = world()
    _published_debt(w)  # 1 445,67 owed
    account = w["account"]
    login(page, live_server, make_operator(w["org"], Role.ACCOUNTANT))
    page.get_by_role("link", name="Касса").click()
    page.fill("input[name=q]", account.number)
    page.get_by_role("button", name="Найти").click()
    page.locator("table.found tr", has_text=account.number).get_by_role("link", name="Принять платёж").click()
    assert "1\xa0445,67" in page.inner_text("strong.debt")
    page.fill("input[name=amount]", "500,00")
    page.get_by_role("button", name="Принять и зачислить").click()
    page.locator("article.slip").wait_for()
    payment = Payment.objects.get(account=account)
    assert f"Квитанция о приёме платежа № {payment.pk}" in page.inner_text("article.slip h1")
    assert "500,00" in page.inner_text("strong.amount") and "Зачислен" in page.inner_text("p.status")
    page.get_by_role("link", name="к счёту").click()
    page.get_by_role("link", name="карточка счёта").click()
    assert "945,67" in page.inner_text("main")  # 1 445,67 − 500,00
    row = page.locator("table.payments tr", has_text=f"№ {payment.pk}")
    assert "500,00" in row.inner_text() and "Касса" in row.inner_text()
    assert Payment.objects.count() == 1


def test_the_dispatcher_publishes_a_news_item_and_the_portal_shows_it(live_server, page):
    w = world()
    login(page, live_server, make_operator(w["org"], Role.DISPATCHER))
    page.get_by_role("link", name="Новости").click()
    page.get_by_role("link", name="Написать новость").click()
    page.fill("input[name=title]", "Промывка системы отопления")
    page.fill("textarea[name=body]", "Во вторник с 9:00 до 17:00 возможны перебои с отоплением.")
    page.get_by_role("button", name="Записать").click()
    assert "записана" in page.inner_text(".messages")
    page.get_by_role("button", name="Опубликовать").click()
    assert "опубликована" in page.inner_text(".messages")
    assert News.objects.get(title="Промывка системы отопления").is_published
    page.goto(f"{live_server.url}/news/?org={w['org'].code}")
    assert "Промывка системы отопления" in page.inner_text("main")
