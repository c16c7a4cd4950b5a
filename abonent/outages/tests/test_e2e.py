"""In a real browser: the subscriber sees an outage of their house on the home page, in the cabinet's list and on
the public list by street."""

import pytest

from .conftest import PASSWORD, make_outage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_subscriber_sees_outage_on_home_and_public_list(live_server, page, org, house, other_house, subscriber, width):
    page.set_viewport_size({"width": width, "height": 800})
    make_outage(org, [house], description="Замена задвижки на вводе в дом.")
    make_outage(org, [other_house], description="Ремонт у соседей.")
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", subscriber.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_url("**/cabinet/")
    block = page.locator("section.outages-home")
    assert block.get_by_text("Замена задвижки на вводе в дом.").is_visible()
    assert block.get_by_text("Холодное водоснабжение").is_visible()
    assert page.get_by_text("Ремонт у соседей.").count() == 0
    block.get_by_role("link", name="Подробнее").click()
    page.wait_for_url("**/cabinet/outages/")
    assert page.get_by_text("ул. Гончарова, д. 5").first.is_visible()

    page.goto(live_server.url + "/outages/")
    houses = page.locator("section.outage-house h2").all_inner_texts()
    assert houses == ["г. Ульяновск, ул. Гончарова, д. 5", "г. Ульяновск, ул. Минаева, д. 12"]
    assert page.get_by_text("Ремонт у соседей.").is_visible()
    page.fill("input[name=day]", "31.02.2026")
    page.get_by_role("button", name="Показать").click()
    assert page.get_by_text("Введите дату в виде дд.мм.гггг").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
