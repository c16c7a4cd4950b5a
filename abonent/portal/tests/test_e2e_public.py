"""The public pages in a real browser at a phone's and a desk's width: readable, no sideways scroll, nothing external."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from abonent.billing.models import Service
from abonent.testing.factories import NormFactory, OrganisationFactory, ServiceFactory, TariffFactory, UserFactory

PAGES = {
    "/": ["Личный кабинет абонента", "Сервис «Личный кабинет» позволит вам:", "ВНИМАНИЮ ПОТРЕБИТЕЛЕЙ!", "Войти"],
    "/tariffs/": ["Тарифы на услуги", "Холодное водоснабжение", "Содержание и текущий ремонт общего имущества"],
    "/contacts/": ["Контакты", "понедельник-пятница - с 8 до 18 часов"],
    "/about/": ["О личном кабинете", "Что можно сделать в личном кабинете"],
    "/help/": ["Помощь", "Как зарегистрироваться?", "Показание не приняли или отклонили"],
    "/consent/": ["Пользовательское соглашение", "Согласие на обработку персональных данных"],
    "/requisites/": ["Реквизиты", "Расчётный счёт (р/с)"],  # the last: the print check below reads it
}


@pytest.fixture
def register(db):
    # Long names, addresses and account numbers: the strings most likely to push a phone screen sideways.
    vodokanal = OrganisationFactory(
        code="vodokanal",
        short_name="УМУП «Ульяновскводоканал»",
        name="Ульяновское муниципальное унитарное предприятие водопроводно-канализационного хозяйства "
        "«Ульяновскводоканал» муниципального образования «город Ульяновск»",
        office_hours="понедельник-пятница - с 8 до 18 часов (с 12 до 13 обед), суббота - с 9 до 13 часов",
        email="otdel-raschetov-s-naseleniem.upravlenie-sbyta@vodokanal.example.ru",
        website="https://lk.vodokanal.example.ru/abonentam/lichnyj-kabinet/",
        notice="ВНИМАНИЮ ПОТРЕБИТЕЛЕЙ!\nИзменился телефон Службы Сбыта. Новый номер - 8-800-250 52 80",
    )
    water = ServiceFactory(organisation=vodokanal, name="Холодное водоснабжение")
    TariffFactory(service=water, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 6, 30), price=Decimal("45.27"))
    TariffFactory(service=water, valid_from=dt.date(2099, 7, 1), valid_to=None, price=Decimal("47.1"))
    NormFactory(service=water)
    uk = OrganisationFactory(code="uk", short_name="ООО «Управляющая компания жилищного фонда Заволжского района»")
    upkeep = ServiceFactory(
        organisation=uk,
        name="Содержание и текущий ремонт общего имущества многоквартирного дома",
        unit=Service.Unit.M2,
        method=Service.Method.AREA,
        resource="",
    )
    TariffFactory(service=upkeep, valid_from=dt.date(2020, 1, 1), valid_to=None, price=Decimal("32.5"))


@pytest.mark.e2e
@pytest.mark.parametrize("width", [375, 1280])
def test_public_pages_fit_the_screen_and_load_nothing_from_outside(live_server, page, register, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 800})
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    own = urlsplit(live_server.url).netloc

    for path, texts in PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        for text in texts:
            assert page.get_by_text(text, exact=False).first.is_visible(), (path, text)
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, (path, width, page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))
        name = path.strip("/") or "start"
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)

    assert page.locator("link[rel=stylesheet][href='/static/portal/site.css']").count() == 1  # ours, loaded
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )
    # Printed, a page is its content: no header, footer or selector.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".org-selector").is_visible()
    assert page.get_by_text("Расчётный счёт (р/с)").first.is_visible()

    outside = [url for url in requested if not url.startswith("data:") and urlsplit(url).netloc != own]
    assert outside == []
    assert any(url.endswith("/static/portal/site.css") for url in requested)


@pytest.mark.e2e
def test_logged_in_header_fits_a_phone(live_server, page, client, register, tmp_path):

    user = UserFactory(username="ivanov.ivan.ivanovich.dlinnyj-login@example.ru", is_staff=True)
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Личный кабинет").first.is_visible()
    assert page.get_by_role("button", name="Выход").is_visible()
    assert page.locator("input[name=password]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "start-logged-in-375.png"), full_page=True)
