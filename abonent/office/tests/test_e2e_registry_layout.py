"""In a real browser: the accountant defines the bank's registry layout, sees a bad file's first lines and its
errors (nothing imported), then a good file's preview, confirms it, and the job credits its payments."""

from decimal import Decimal

import pytest

from abonent.office.models import Role
from abonent.payments.models import Payment, RegistryLayout
from abonent.testing import factories as f

from .conftest import make_operator
from .test_e2e_office import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def registry(account: str, date: str = "2026-11-05") -> bytes:
    lines = [f"{date}|В-1|{account}|Ёлкин П. И.|1 234,56|11.2026", f"2026-11-06|В-2|{account}|Ёлкин П. И.|100,00|"]
    return ("\r\n".join([*lines, "ИТОГО|2|1 334,56"]) + "\r\n").encode("utf-8")


def define_layout(page) -> None:
    page.get_by_role("link", name="Свои форматы реестра").click()
    page.fill("#id_title", "Банк Восход")
    page.select_option("#id_encoding", "utf-8")
    page.fill("#id_separator", "|")
    page.select_option("#id_date_format", "%Y-%m-%d")
    page.check("#id_decimal_comma")
    for name, column in {"paid_on": 1, "payment_id": 2, "account": 3, "payer": 4, "amount": 5, "period": 6}.items():
        page.fill(f"#id_{name}", str(column))
    page.fill("#id_summary_prefix", "ИТОГО|")
    page.fill("#id_summary_count", "1")
    page.fill("#id_summary_total", "2")
    page.get_by_role("button", name="Сохранить формат").click()
    page.locator(".messages").wait_for()
    assert "Формат «Банк Восход» сохранён" in page.inner_text(".messages")
    assert "Банк Восход" in page.inner_text("table.layouts")


def upload(page, data: bytes, layout_label: str) -> None:
    page.set_input_files("#id_file", files=[{"name": "vosxod.txt", "mimeType": "text/plain", "buffer": data}])
    page.select_option("#id_layout", label=layout_label)
    page.get_by_role("button", name="Просмотреть").click()
    page.locator("table.preview").wait_for()


def test_the_accountant_defines_a_layout_previews_and_imports(live_server, page):
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    login(page, live_server, make_operator(org, Role.ACCOUNTANT))
    page.get_by_role("link", name="Реестр банка").click()
    define_layout(page)
    page.get_by_role("link", name="К загрузке реестра").click()

    upload(page, registry(account.number, date="05.11.2026"), "Свой формат: Банк Восход")
    rows = page.locator("table.preview tbody tr")
    assert "неверная дата «05.11.2026»" in rows.nth(0).inner_text()
    assert "100,00" in rows.nth(1).inner_text().replace("\xa0", " ")
    assert "строка 1: неверная дата" in page.inner_text(".preview-errors")
    assert page.get_by_role("button", name="Загрузить реестр").count() == 0
    assert not Payment.objects.exists()

    page.get_by_role("link", name="Выбрать другой файл или формат").click()
    upload(page, registry(account.number), "Свой формат: Банк Восход")
    first = page.locator("table.preview tbody tr").nth(0).inner_text().replace("\xa0", " ")
    assert "05.11.2026" in first and "В-1" in first and account.number in first and "1 234,56" in first
    assert "11.2026" in first and page.locator(".preview-errors").count() == 0
    page.get_by_role("button", name="Загрузить реестр").click()
    page.locator(".job-progress").wait_for()
    page.locator(".job-progress.job-finished").wait_for()
    assert sorted(Payment.objects.filter(account=account).values_list("amount", flat=True)) == [
        Decimal("100.00"), Decimal("1234.56")]  # fmt: skip
    assert RegistryLayout.objects.get(organisation=org).decimal_comma
