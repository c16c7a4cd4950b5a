""" "О личном кабинете", "Помощь" and the user agreement: reachable from every page, answering the questions a
newcomer asks, and every link on them opens."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from abonent.testing.factories import AccountLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "/about/": "О личном кабинете",
    "/help/": "Помощь",
    "/consent/": "Пользовательское соглашение",
}

# The questions of the portals' manuals, as the help page words them.
QUESTIONS = [
    "Как зарегистрироваться?",
    "Где взять код активации?",
    "Как войти?",
    "Забыл пароль",
    "Как добавить (привязать) лицевой счёт?",
    "Как передать показания?",
    "Ошибся в показании",
    "Показание не приняли или отклонили",
    "Как оплатить?",
    "Платёж не прошёл",
    "Как получить квитанцию?",
    "Как написать обращение?",
    "Как заказать платную услугу?",
    "Заметили ошибку в тексте?",
]


@pytest.mark.parametrize(("url", "title"), PAGES.items())
def test_page_opens_for_anyone_and_is_in_the_footer(client, url, title):
    page = client.get(url).content.decode()
    assert f"<title>{title}" in page
    start = client.get("/").content.decode()
    footer = start[start.index('class="site-footer"') :]
    assert f'href="{url}"' in footer


def test_help_is_in_the_menu(client):
    start = client.get("/").content.decode()
    menu = start[start.index('class="top-nav"') : start.index("</nav>")]
    assert 'href="/help/"' in menu


def test_help_answers_the_newcomers_questions(client):
    page = client.get("/help/").content.decode()
    summaries = re.findall(r"<summary>(.*?)</summary>", page)
    for question in QUESTIONS:
        assert any(s.startswith(question) for s in summaries), question


def test_registration_consent_links_to_the_agreement(client):
    form = client.get(reverse("users:register_receipt")).content.decode()
    assert 'href="/consent/"' in form
    agreement = client.get("/consent/").content.decode()
    assert "Пользовательское соглашение" in agreement and "152-ФЗ" in agreement
    assert "Согласен с условиями" in agreement  # the checkbox the agreement is accepted by


@pytest.mark.parametrize("url", PAGES)
def test_every_link_on_the_page_opens(client, url):
    user = UserFactory()
    AccountLinkFactory(user=user)
    client.force_login(user)  # the cabinet's pages the help links to open for a subscriber
    page = client.get(url).content.decode()
    links = set(re.findall(r'href="(/[^"#]*)', page))
    assert len(links) > 5
    for link in links:
        if link.startswith(settings.STATIC_URL):  # served by the web server, not by the views
            assert finders.find(link.removeprefix(settings.STATIC_URL)), link
            continue
        response = client.get(link, follow=True)  # a logged-in visitor is sent on from /login/
        assert response.status_code == 200, (link, response.status_code)
