"""In a real browser: the demo operator logs into the back office and changes a tariff."""

import datetime as dt
from decimal import Decimal

import pytest

from abonent.billing.models import BillingPeriod, PeriodRun, Service, Tariff
from abonent.orgs.dates import add_months, month_start
from abonent.testing import factories as f


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_operator_logs_in_and_changes_a_tariff(live_server, page):
    # given the demo operator of a management company with cold water at 45,27 ₽ from 1 January
    operator = f.OperatorFactory(username="operator", password="operator-2026")
    tariff = f.TariffFactory(
        service__organisation=operator.organisation,
        service__name="Холодное водоснабжение",
        valid_from=dt.date(2026, 1, 1),
        valid_to=None,
    )
    other = f.ServiceFactory(name="Чужая услуга")  # another organisation's: must not show

    # when they log in at /admin/
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-2026")
    page.click("input[type=submit]")
    # and open Услуги → the service, change the price in its tariffs and save
    page.get_by_role("link", name="Услуги", exact=True).first.click()
    assert page.get_by_text(other.name).count() == 0
    page.get_by_role("link", name="Холодное водоснабжение").click()
    price = page.locator("input[name='tariffs-0-price']")
    assert price.input_value() == "45,27"  # as set, not with the stored "45,2700"
    price.fill("47,53")
    page.click("input[name='_save']")

    # then the page says it is saved, and the database holds the new price
    success = page.locator(".messagelist .success")
    assert "успешно изменен" in success.inner_text()
    tariff.refresh_from_db()
    assert tariff.price == Decimal("47.53")
    assert Tariff.objects.count() == 1


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_operator_calculates_early_with_a_reason_then_reads_the_draft(live_server, page):
    # given an operator and next month's period with its readings closed: calculating it now is early, always
    operator = f.OperatorFactory(username="operator", password="operator-2026")
    org = operator.organisation
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, name="Вывоз ТКО", method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2020, 1, 1), valid_to=None, price=Decimal("1234.5"))
    period = BillingPeriod.objects.create(
        organisation=org, month=add_months(month_start(org.today()), 1), state="readings_closed"
    )

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-2026")
    page.click("input[type=submit]")
    # when they open the periods, select it and choose "Рассчитать"
    page.goto(f"{live_server.url}/admin/billing/billingperiod/")
    page.check(f"input[name=_selected_action][value='{period.pk}']")
    page.select_option("select[name=action]", "run_calculate")
    page.click("button[name=index]")
    # then they are asked why, and nothing has run yet
    assert "не раньше" in page.locator(".early-refusals").inner_text()
    period.refresh_from_db()
    assert period.state == "readings_closed"
    page.fill("textarea[name=reason]", "Пробный расчёт для проверки новых тарифов")
    page.click("input[value='Выполнить досрочно']")
    # and it runs as a background job: the message leads to its page, which once it has finished leads to the
    # draft review
    page.locator(".messagelist .success").get_by_role("link", name="Ход выполнения").click()
    page.get_by_role("link", name="Проверьте черновик перед публикацией: сверка с прошлым месяцем").click()
    assert "Наибольшие изменения по лицевым счетам" in page.content()
    assert "1\xa0234,50\xa0₽" in page.locator(".review-services").inner_text()
    assert PeriodRun.objects.get().forced_reason == "Пробный расчёт для проверки новых тарифов"
