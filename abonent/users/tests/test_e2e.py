"""The three ways in and "Забыли пароль?" clicked through in a real browser, from the start page to the cabinet.

E-mail goes through a real SMTP server (aiosmtpd) started for the test; the link is taken from the message.
"""

import pytest
from captcha.models import CaptchaStore

from abonent.testing.factories import OperatorFactory, PersonalAccountFactory, UserFactory
from abonent.testing.smtp import smtp_server

from .conftest import NEW_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inbox(settings):
    with smtp_server(settings) as handler:
        yield handler


@pytest.fixture
def account(db):
    return PersonalAccountFactory(number="820000555", activation_code="4321-8765-2109")


def _cabinet_shows(page, account):
    page.wait_for_url("**/cabinet/")
    card = page.locator(".account-card", has_text=account.number)
    assert card.count() == 1
    assert account.premises.building.address in card.inner_text()


def test_register_by_receipt(live_server, page, inbox, account):
    page.goto(live_server.url + "/")
    page.click("a[href='/register/']")
    page.click("text=Зарегистрироваться по квитанции")
    page.fill("#id_account_number", account.number)
    page.fill("#id_email", "resident@example.ru")
    page.fill("#id_phone", "8 (917) 555-55-55")
    page.fill("#id_activation_code", "4321 8765 2109")
    page.check("#id_consent")
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('Зарегистрировать')")
    assert "Регистрация прошла успешно" in page.inner_text("h1")
    page.goto(inbox.link("resident@example.ru"))
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("button:has-text('Сохранить пароль')")
    _cabinet_shows(page, account)


def test_register_by_username_and_add_account(live_server, page, inbox, account):
    page.goto(live_server.url + "/")
    page.click("a[href='/register/']")
    page.click("text=Зарегистрироваться по логину")
    page.fill("#id_username", "petrova")
    page.fill("#id_email", "petrova@example.ru")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.check("#id_consent")
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('Зарегистрироваться')")
    assert "Регистрация прошла успешно" in page.inner_text("h1")
    page.goto(inbox.link("petrova@example.ru"))
    assert "E-mail подтверждён" in page.inner_text("main")
    page.fill("#id_username", "petrova")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button:has-text('Войти')")
    page.wait_for_url("**/cabinet/")
    page.click("text=Добавить лицевой счёт")
    page.select_option("#id_organisation", str(account.organisation.pk))
    page.fill("#id_house_search", "Гончарова " + account.premises.building.address.rsplit(" ", 1)[-1])
    page.locator(f"#id_building option[value='{account.premises.building.pk}']").wait_for(state="attached")
    page.select_option("#id_building", str(account.premises.building.pk))
    page.fill("#id_apartment", account.premises.number)
    page.fill("#id_account_number", account.number)
    page.fill("#id_activation_code", "4321-8765-2109")
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('Добавить')")
    _cabinet_shows(page, account)


def test_issued_by_the_organisation(live_server, browser, page, account):
    OperatorFactory(username="operator", organisation=account.organisation)
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pass-2026-word")
    page.click("button:has-text('Войти')")
    page.wait_for_url("**/admin/")  # staff land in the back office
    page.goto(live_server.url + "/admin/users/accountlink/")
    page.click("text=Выдать доступ абоненту")
    page.fill("#id_account_number", account.number)
    page.click("input[type=submit]")
    login = page.inner_text("#slip-login").strip()
    password = page.inner_text("#slip-password").strip()
    assert login == account.number

    context = browser.new_context(locale="ru-RU")
    subscriber = context.new_page()
    try:
        subscriber.goto(live_server.url + "/")
        subscriber.fill("#id_username", login)
        subscriber.fill("#id_password", password)
        subscriber.click("button:has-text('Войти')")
        subscriber.wait_for_url("**/password/change/")
        subscriber.goto(live_server.url + "/cabinet/")  # nothing else before the new password
        subscriber.wait_for_url("**/password/change/")
        subscriber.fill("#id_new_password1", NEW_PASSWORD)
        subscriber.fill("#id_new_password2", NEW_PASSWORD)
        subscriber.click("button:has-text('Сохранить новый пароль')")
        _cabinet_shows(subscriber, account)
    finally:
        context.close()


def test_forgot_password(live_server, page, inbox, account):
    user = UserFactory(username=account.number, email="forgetful@example.ru")
    user.account_links.create(account=account, method="code")
    page.goto(live_server.url + "/")
    page.click("text=Забыли пароль?")
    page.fill("#id_login", account.number)
    page.fill("#id_email", "forgetful@example.ru")
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('Отправить')")
    assert "Проверьте почту" in page.inner_text("h1")
    page.goto(inbox.link("forgetful@example.ru"))
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("button:has-text('Сохранить пароль')")
    _cabinet_shows(page, account)


def test_login_asks_for_a_captcha_after_failures_and_lets_the_owner_in(live_server, page, account, real_captcha):
    user = UserFactory(username="victim1", email="victim1@example.ru")
    user.account_links.create(account=account, method="code")
    page.goto(live_server.url + "/login/")
    for _ in range(3):
        page.fill("#id_username", account.number)
        page.fill("#id_password", "wrong-password")
        page.click("button:has-text('Войти')")
        assert "Неверный логин или пароль" in page.inner_text("main")
    # The right password is not enough now; the page shows a captcha drawn by the server.
    page.wait_for_selector("img.captcha", state="visible")
    page.fill("#id_username", "VICTIM1")
    page.fill("#id_password", "pass-2026-word")
    page.click("button:has-text('Войти')")
    assert "код с картинки" in page.inner_text("main")
    hashkey = page.get_attribute("#id_captcha_0", "value")
    page.fill("#id_password", "pass-2026-word")
    page.fill("#id_captcha_1", CaptchaStore.objects.get(hashkey=hashkey).response)
    page.click("button:has-text('Войти')")
    _cabinet_shows(page, account)
