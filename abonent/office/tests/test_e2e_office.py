"""In a real browser: each role's day in the office. The accountant opens the month at a glance and downloads
the turnover sheet; the dispatcher works the readings queue and answers an appeal; the auditor sees and has
nothing to change with."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from abonent.billing.models import AccountBalance, BillingPeriod
from abonent.office.models import ReadingReview, Role
from abonent.support.models import Appeal

from .conftest import PASSWORD, make_operator
from .world import world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/?next=/office/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/office/")


def test_the_accountants_day_dashboard_then_the_turnover_sheet_download(live_server, page, tmp_path):
    w = world()
    _published_debt(w)
    accountant = make_operator(w["org"], Role.ACCOUNTANT)
    login(page, live_server, accountant)
    assert "Месяц на одном экране" in page.inner_text("h1")
    assert "42,6 %" in page.locator("svg.chart").text_content()  # 1000 ÷ 2345,67
    page.get_by_role("link", name="ОСВ").click()
    page.fill("input[name=first]", "10.2026")
    page.get_by_role("button", name="Показать").click()
    assert "2\xa0345,67" in page.inner_text("table.sheet tfoot")
    page.get_by_role("button", name="Скачать XLSX").click()  # a job makes the file; its page offers it
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать файл").click()
    path = tmp_path / "sheet.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1][0] == w["account"].number
    assert [round(v, 2) for v in rows[1][2:]] == [100.0, 2345.67, 0.0, 0.0, 1000.0, 1445.67]
    # the dispatcher's pages are not the accountant's
    assert page.get_by_role("link", name="Ввод с бланка").count() == 0


def test_the_dispatcher_works_the_queue_and_answers_an_appeal(live_server, page):
    w = world()
    dispatcher = make_operator(w["org"], Role.DISPATCHER)
    login(page, live_server, dispatcher)
    page.get_by_role("link", name="Показания", exact=True).click()
    row = page.locator("tr", has_text=w["meter"].serial_number)
    assert "Большой расход" in row.inner_text()
    row.get_by_role("button", name="Оставить").click()
    assert "оставлено" in page.inner_text(".messages")
    assert ReadingReview.objects.filter(reading=w["reading"]).exists()
    page.get_by_role("link", name="Обращения").click()
    page.get_by_role("link", name=f"№ {w['appeal'].pk}").first.click()
    page.fill("textarea[name=text]", "Показания приняты, спасибо за обращение.")
    page.get_by_role("button", name="Отправить ответ").click()
    assert "Ответ на обращение" in page.inner_text(".messages")
    w["appeal"].refresh_from_db()
    assert w["appeal"].status == Appeal.Status.ANSWERED


def _published_debt(w):
    period = BillingPeriod.objects.create(organisation=w["org"], month=dt.date(2026, 10, 1), state="published",
                                          published_at=timezone.now())  # fmt: skip
    AccountBalance.objects.create(account=w["account"], period=period, opening=Decimal("100.00"),
                                  charged=Decimal("2345.67"), paid=Decimal("1000.00"), closing=Decimal("1445.67"))  # fmt: skip


def test_the_auditor_sees_everything_and_can_change_nothing(live_server, page):
    w = world()
    _published_debt(w)
    auditor = make_operator(w["org"], Role.AUDITOR)
    login(page, live_server, auditor)
    page.get_by_role("link", name="Показания", exact=True).click()
    assert w["meter"].serial_number in page.inner_text("main")
    assert page.get_by_role("button", name="Оставить").count() == 0
    page.get_by_role("link", name="Обращения").click()
    page.get_by_role("link", name=f"№ {w['appeal'].pk}").first.click()
    assert "Не принимаются показания" in page.inner_text("main")
    assert page.locator("textarea").count() == 0
    page.get_by_role("link", name="Должники").click()
    assert w["account"].number in page.inner_text("table.sheet")
    assert page.get_by_role("button", name="Досудебное уведомление выбранным (e-mail и PDF)").count() == 0
    page.goto(f"{live_server.url}/office/operators/")
    assert "недоступн" in page.inner_text("main")
    page.goto(f"{live_server.url}/office/readings/entry/{w['building'].pk}/")
    assert "недоступн" in page.inner_text("main")
    w["appeal"].refresh_from_db()
    assert w["appeal"].status == Appeal.Status.NEW


def test_the_accountant_closes_and_publishes_the_month_then_downloads_its_turnover_sheet(live_server, page, tmp_path):
    from abonent.testing import factories as f  # noqa: PLC0415

    w = world()
    service = f.ServiceFactory(organisation=w["org"], name="Вывоз ТКО", method="fixed", resource="")
    f.TariffFactory(service=service, valid_from=dt.date(2020, 1, 1), valid_to=None, price=Decimal("321.00"))
    login(page, live_server, make_operator(w["org"], Role.ACCOUNTANT))
    page.get_by_role("link", name="Цикл месяца").click()
    for step in ("Закрыть приём показаний", "Рассчитать период", "Опубликовать период"):
        page.fill("input[name=reason]", "Пробный цикл для проверки тарифов")
        page.get_by_role("button", name=f"{step} досрочно").click()
        assert "поставлено в очередь" in page.inner_text(".messages")
        # the step ran as a job (in this process, see the root conftest): its box on the page says it finished
        newest = page.locator(".jobs .job-progress").first
        assert "Завершено" in newest.inner_text() and step.split()[0][:4].lower() in newest.inner_text().lower()
        if step == "Рассчитать период":
            assert "321,00" in page.inner_text(".review-services")
    w["period"].refresh_from_db()
    assert w["period"].state == "published"
    page.get_by_role("link", name="ОСВ").click()
    page.fill("input[name=first]", "12.2026")
    page.get_by_role("button", name="Скачать XLSX").click()  # a job makes the file; its page offers it
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать файл").click()
    path = tmp_path / "sheet.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1][0] == w["account"].number and round(rows[1][3], 2) == 321.0
