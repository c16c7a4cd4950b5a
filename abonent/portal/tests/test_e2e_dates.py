"""One date field on every page, in an English browser too: dd.mm.yyyy typed or picked from the calendar, and
one month field; what is picked is what the server stores."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from abonent.support.models import PaidServiceRequest
from abonent.testing import axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english(browser, live_server, demo_cabinet, page):
    """The demo subscriber in a browser set to English (where a native date field shows mm/dd/yyyy)."""
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    context.add_cookies(page.context.cookies())
    tab = context.new_page()
    yield tab
    context.close()


def test_no_native_date_field_on_any_page(english, live_server, demo_cabinet):
    for path in demo_cabinet + ["/outages/"]:
        english.goto(live_server.url + path)
        assert english.locator("input[type=date], input[type=month], input[type=datetime-local]").count() == 0, path
        for field in english.locator("input[data-datepicker]").all():
            assert field.get_attribute("placeholder") in ("ДД.ММ.ГГГГ", "ММ.ГГГГ"), path


def test_a_picked_date_is_the_one_stored(english, live_server, demo_cabinet):
    english.goto(live_server.url + "/cabinet/paid-services/")
    field = english.get_by_label("Желаемая дата")
    assert field.evaluate("e => e.type") == "text"
    # The calendar opens on the month of what is typed; the next month's 15th is then picked
    start = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    field.fill(start.strftime("%d.%m.%Y"))
    english.get_by_role("button", name="Выбрать дату").click()
    calendar = english.get_by_role("dialog", name="Выбор даты")
    expect(calendar).to_be_visible()
    box = calendar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # the calendar fits a phone
    assert axe.violations(english) == []  # the open calendar: labelled buttons, readable
    english.get_by_role("button", name="Следующий месяц").click()
    target = (start + dt.timedelta(days=32)).replace(day=15)
    months = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября"]
    months += ["ноября", "декабря"]
    english.get_by_role("button", name=f"15 {months[target.month - 1]} {target.year}").click()
    expect(calendar).to_be_hidden()
    expect(field).to_have_value(target.strftime("%d.%m.%Y"))
    expect(field).to_be_focused()
    english.get_by_label("Контакт", exact=False).first.fill("+7 900 111-22-33")
    english.get_by_role("button", name="Отправить заявку").click()
    expect(english.locator(".msg-success").first).to_be_visible()
    assert PaidServiceRequest.objects.filter(desired_date=target, contact="+7 900 111-22-33").exists()


def test_typed_and_keyboard_picked_dates(english, live_server, demo_cabinet):
    history = next(path for path in demo_cabinet if path.endswith("/history/"))
    english.goto(live_server.url + history)
    start = english.get_by_label("Начало периода")
    start.fill("01012025")
    start.press("Tab")  # leaving the field puts the dots in
    expect(start).to_have_value("01.01.2025")
    expect(english.get_by_role("button", name="Выбрать дату").first).to_be_focused()
    english.keyboard.press("Enter")  # the calendar opens on the field's date, focused
    expect(english.locator(".datepicker-cell:focus")).to_have_attribute("aria-label", "1 января 2025")
    english.keyboard.press("ArrowRight")
    english.keyboard.press("ArrowDown")
    english.keyboard.press("Enter")
    expect(start).to_have_value("09.01.2025")
    english.get_by_role("button", name="Выбрать дату").nth(1).click()
    english.keyboard.press("Escape")
    expect(english.get_by_role("dialog", name="Выбор даты")).to_be_hidden()
    english.get_by_role("button", name="Отобразить").click()
    expect(english.get_by_text("Диапазон сводной таблицы: с 09.01.2025")).to_be_visible()


def test_one_month_field(english, live_server, demo_cabinet):
    movement = next(path for path in demo_cabinet if path.endswith("/movement/"))
    english.goto(live_server.url + movement)
    first = english.get_by_label("Период отображения с")
    assert first.evaluate("e => e.type") == "text" and first.input_value().count(".") == 1
    shown = dt.datetime.strptime(first.input_value(), "%m.%Y")
    english.get_by_role("button", name="Выбрать месяц").first.click()
    english.get_by_role("button", name="Предыдущий год").click()
    months = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь"]
    months += ["ноябрь", "декабрь"]
    english.get_by_role("button", name=f"{months[shown.month - 1]} {shown.year - 1}").click()
    expect(first).to_have_value(f"{shown.month:02d}.{shown.year - 1}")
    english.get_by_role("button", name="Показать").click()
    expect(english.get_by_label("Период отображения с")).to_have_value(f"{shown.month:02d}.{shown.year - 1}")
    english.goto(f"{live_server.url}{movement}?from=13.2020")
    expect(english.get_by_text("Месяц «с» указан неверно: нужен месяц в виде ММ.ГГГГ")).to_be_visible()
