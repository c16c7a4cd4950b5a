"""Every access URL through the test client: the happy path, bad input, and other people's ids (404)."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from abonent.testing.factories import AccountLinkFactory, PersonalAccountFactory, UserFactory
from abonent.users.models import AccountLink, LoginEvent, User
from abonent.users.views import SAVED_LOGIN_COOKIE

from .conftest import CAPTCHA, NEW_PASSWORD, PASSWORD, later, link_in, path_of

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


# --- login / logout ---


@pytest.mark.parametrize("login", ["ivanov", "IVANOV@example.ru", "820000001"])
def test_login_by_name_email_or_account_number(client, subscriber, login):
    response = _login(client, login)
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert int(client.session[SESSION_KEY]) == subscriber.pk
    event = LoginEvent.objects.get(user=subscriber)
    assert event.ip == "127.0.0.1"


def test_wrong_password_is_refused_in_russian(client, subscriber):
    response = _login(client, "ivanov", "wrong")
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert response.context["form"]["username"].value() == "ivanov"
    assert "wrong" not in response.content.decode()


def test_session_id_changes_at_login(client, subscriber):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    _login(client, "ivanov")
    assert client.session.session_key != before


def test_remember_me_keeps_the_session_30_days_otherwise_until_the_browser_closes(subscriber):
    short, long = Client(), Client()
    _login(short, "ivanov")
    _login(long, "ivanov", remember="on")
    assert short.session.get_expire_at_browser_close()
    assert not long.session.get_expire_at_browser_close()
    assert long.session.get_expiry_age() == 30 * 24 * 60 * 60


def test_save_login_remembers_only_the_login(client, subscriber):
    response = _login(client, "ivanov", save_login="on")
    assert response.cookies[SAVED_LOGIN_COOKIE].value == "ivanov"
    client.post("/logout/")
    page = client.get("/login/").content.decode()
    assert 'value="ivanov"' in page
    assert PASSWORD not in page
    response = _login(client, "ivanov")  # unticked: forgotten
    assert response.cookies[SAVED_LOGIN_COOKIE].value == ""


def test_captcha_after_three_failures_for_one_login(client, subscriber):
    for _ in range(2):
        assert "captcha_1" not in _login(client, "ivanov", "wrong").content.decode()
    # The page after the third failure already shows the captcha the next attempt needs.
    assert "captcha_1" in _login(client, "ivanov", "wrong").content.decode()
    # From now on the right password alone is not enough, nor is it refused: the captcha is asked for.
    response = _login(client, "ivanov")
    assert "Код на картинке" in response.content.decode() and SESSION_KEY not in client.session
    assert _login(client, "ivanov", **CAPTCHA).status_code == 302
    client.post("/logout/")
    # The success cleared the user's counter: no captcha next time.
    assert _login(client, "ivanov").status_code == 302
    client.post("/logout/")
    for _ in range(3):
        _login(client, "ivanov", "wrong")
    with time_machine.travel(later(minutes=61)):
        assert _login(client, "ivanov").status_code == 302


def test_per_ip_failures_bring_a_captcha_not_a_refusal(client, db):
    for i in range(10):
        _login(client, f"nobody{i}", "wrong")
    UserFactory(username="fresh")
    response = _login(client, "fresh")
    assert "Код на картинке" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert _login(client, "fresh", **CAPTCHA).status_code == 302


def test_logout_is_post_only(client, subscriber):
    client.force_login(subscriber)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert SESSION_KEY not in client.session


def test_csrf_is_required(subscriber):
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post("/login/", {"username": "ivanov", "password": PASSWORD}).status_code == 403


# --- cabinet ---


def test_cabinet_lists_only_my_accounts(client, subscriber, account):
    other = PersonalAccountFactory(number="820000777")
    AccountLinkFactory(account=other)
    client.force_login(subscriber)
    page = client.get("/cabinet/").content.decode()
    assert "820000001" in page and account.premises.building.address in page
    assert account.organisation.short_name in page
    assert "820000777" not in page


def test_cabinet_needs_login(client):
    response = client.get("/cabinet/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- registration by receipt ---


def _receipt_form(account, **over):
    data = {
        "account_number": account.number,
        "email": "new@example.ru",
        "phone": "+7 (917) 555-55-55",
        "activation_code": account.activation_code,
        "consent": "on",
        **CAPTCHA,
    }
    data.update(over)
    return data


def test_register_by_receipt_then_set_password_once(client, account, django_capture_on_commit_callbacks, mailoutbox):
    assert client.get("/register/").status_code == 200
    assert client.get("/register/receipt/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/receipt/", _receipt_form(account))
    assert "Регистрация прошла успешно" in response.content.decode()
    link = path_of(link_in(mailoutbox[0]))
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert account.number in client.get("/cabinet/").content.decode()
    # The link worked once.
    client.post("/logout/")
    assert client.get(link).status_code == 400
    assert (
        client.post(link, {"new_password1": "Other-2026-pass", "new_password2": "Other-2026-pass"}).status_code == 400
    )
    assert Client().post("/login/", {"username": account.number, "password": NEW_PASSWORD}).status_code == 302


def test_set_password_link_expires_after_24_hours(client, account, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/receipt/", _receipt_form(account))
    link = path_of(link_in(mailoutbox[0]))
    with time_machine.travel(later(hours=23)):
        assert client.get(link).status_code == 200
    with time_machine.travel(later(hours=24, minutes=1)):
        assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"activation_code": "9999-9999-9999"}, "Данные не совпадают"),
        ({"activation_code": "12-34"}, "12 цифр"),
        ({"phone": "12345"}, "Телефон"),
        ({"email": "not-an-email"}, "адрес электронной почты"),
        ({"consent": ""}, "Без согласия"),
        ({"captcha_1": "WRONG"}, "Код с картинки"),
    ],
)
def test_register_by_receipt_bad_input_keeps_what_was_typed(client, account, over, message):
    response = client.post("/register/receipt/", _receipt_form(account, **over))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert not User.objects.exists()
    assert f'value="{account.number}"' in page


def test_register_by_receipt_closed_account_and_email_in_use(client, account):
    UserFactory(email="new@example.ru")
    page = client.post("/register/receipt/", _receipt_form(account)).content.decode()
    assert "уже используется" in page
    account.closed_on = dt.date(2026, 3, 31)
    account.save()
    page = client.post("/register/receipt/", _receipt_form(account, email="free@example.ru")).content.decode()
    assert "закрыт" in page
    assert User.objects.count() == 1


# --- registration by user name, confirmation, adding an account ---


def _username_form(**over):
    data = {
        "username": "petrov",
        "email": "petrov@example.ru",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "consent": "on",
        **CAPTCHA,
    }
    data.update(over)
    return data


def test_register_by_username_confirm_then_add_account(client, account, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/username/", _username_form())
    assert "Регистрация прошла успешно" in response.content.decode()
    # Not before the e-mail is confirmed.
    assert _login(client, "petrov", NEW_PASSWORD).status_code == 200
    link = path_of(link_in(mailoutbox[0]))
    assert client.get(link)["Location"] == "/login/"
    assert client.get(link).status_code == 400  # once
    assert _login(client, "petrov", NEW_PASSWORD).status_code == 302
    assert client.get("/cabinet/accounts/add/").status_code == 200
    response = client.post(
        "/cabinet/accounts/add/",
        {
            "organisation": account.organisation.pk,
            "building": account.premises.building.pk,
            "apartment": account.premises.number,
            "account_number": account.number,
            "payment_date": "",
            "payment_amount": "",
            "activation_code": "1111 2222 3333",
            **CAPTCHA,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert account.number in client.get("/cabinet/").content.decode()
    assert AccountLink.objects.get(user__username="petrov").method == AccountLink.Method.ACTIVATION_CODE


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"username": "ivanov"}, "логин уже занят"),
        ({"email": "IVANOV@example.ru"}, "уже используется"),
        ({"password1": "12345678", "password2": "12345678"}, "Введённый пароль"),
        ({"password2": "other-Pass-2026"}, "Пароли не совпадают"),
        ({"username": "820000999"}, "только из цифр"),
        ({"consent": ""}, "Без согласия"),
    ],
)
def test_register_by_username_bad_input(client, subscriber, over, message):
    response = client.post("/register/username/", _username_form(**over))
    page = response.content.decode()
    assert message.lower() in page.lower()
    assert User.objects.count() == 1
    assert NEW_PASSWORD not in page


def _add_form(account, **over):
    data = {
        "organisation": account.organisation.pk,
        "building": account.premises.building.pk,
        "apartment": account.premises.number,
        "account_number": account.number,
        "payment_date": "05.10.2026",
        "payment_amount": "123,45",
        "activation_code": "",
        **CAPTCHA,
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({}, "Не удалось подтвердить лицевой счёт"),  # by payment: no payments yet
        ({"activation_code": "0000-0000-0000"}, "Не удалось подтвердить лицевой счёт"),
        ({"payment_amount": "12x"}, "123,45"),
        ({"payment_date": "", "payment_amount": ""}, "Укажите дату и сумму"),
        ({"captcha_1": "nope"}, "Код с картинки"),
    ],
)
def test_add_account_bad_input(client, account, over, message):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/cabinet/accounts/add/", _add_form(account, **over))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert not AccountLink.objects.exists()
    assert f'value="{account.number}"' in page


def test_add_account_already_linked(client, subscriber, account):
    client.force_login(subscriber)
    page = client.post(
        "/cabinet/accounts/add/", _add_form(account, activation_code=account.activation_code)
    ).content.decode()
    assert "уже подключён" in page
    assert AccountLink.objects.count() == 1


# --- password reset ---


def same_but_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


def test_reset_answers_the_same_and_mails_a_one_time_link(
    client, subscriber, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/password/reset/", {"login": "nobody", "email": "x@example.ru", **CAPTCHA})
        known = client.post("/password/reset/", {"login": "820000001", "email": "ivanov@example.ru", **CAPTCHA})
    assert unknown.status_code == known.status_code == 200
    # The CSRF tokens are masked anew in each response (the typo dialog of every page has one).
    assert same_but_csrf(unknown.content.decode().replace("x@example.ru", "E")) == same_but_csrf(
        known.content.decode().replace("ivanov@example.ru", "E")
    )
    assert len(mailoutbox) == 1
    link = path_of(link_in(mailoutbox[0]))
    assert client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    assert client.get(link).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.check_password(NEW_PASSWORD)


def test_reset_needs_the_captcha(client, subscriber, mailoutbox):
    response = client.post(
        "/password/reset/", {"login": "ivanov", "email": "ivanov@example.ru", "captcha_0": "x", "captcha_1": "bad"}
    )
    assert "Код с картинки" in response.content.decode()
    assert mailoutbox == []


# --- profile ---


def test_profile_shows_links_and_last_logins(client, subscriber, account):
    _login(client, "ivanov")
    page = client.get("/profile/").content.decode()
    assert account.number in page and "127.0.0.1" in page


def test_profile_email_change_by_link(client, subscriber, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/profile/email/", {"email": "new@example.ru"})
    assert mailoutbox[0].to == ["new@example.ru"]
    link = path_of(link_in(mailoutbox[0]))
    assert client.get(link).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.email == "new@example.ru"
    assert client.get(link).status_code == 400


def test_profile_bad_email_and_bad_phone(client, subscriber):
    client.force_login(subscriber)
    response = client.post("/profile/email/", {"email": "not-an-address"})
    assert response.status_code == 400 and "e-mail" in response.content.decode().lower()
    response = client.post("/profile/phone/", {"phone": "555"})
    assert response.status_code == 400 and "Телефон" in response.content.decode()
    assert 'value="555"' in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email == "ivanov@example.ru" and subscriber.phone == ""
    client.post("/profile/phone/", {"phone": "8 (917) 000-11-22"})
    subscriber.refresh_from_db()
    assert subscriber.phone == "+79170001122"


def test_password_change_asks_for_the_old_one_and_ends_other_sessions(subscriber):
    here, elsewhere = Client(), Client()
    _login(here, "ivanov")
    _login(elsewhere, "ivanov")
    response = here.post(
        "/profile/password/", {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.check_password(PASSWORD)
    response = here.post(
        "/profile/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert here.get("/cabinet/").status_code == 200
    assert elsewhere.get("/cabinet/").status_code == 302  # logged out


def test_weak_new_password_is_refused_in_russian(client, subscriber):
    client.force_login(subscriber)
    response = client.post(
        "/profile/password/", {"old_password": PASSWORD, "new_password1": "qwerty", "new_password2": "qwerty"}
    )
    assert "слишком" in response.content.decode().lower()


def test_receipts_subscription_and_unlink(client, subscriber, account):
    client.force_login(subscriber)
    link = AccountLink.objects.get(user=subscriber)
    client.post(f"/profile/accounts/{link.pk}/receipts/", {"receipts_by_email": "on"})
    link.refresh_from_db()
    assert link.receipts_by_email
    client.post(f"/profile/accounts/{link.pk}/receipts/", {})
    link.refresh_from_db()
    assert not link.receipts_by_email
    # The button asks first: neither opening the page nor a POST without confirm unlinks.
    page = client.get(f"/profile/accounts/{link.pk}/unlink/").content.decode()
    assert "Отключить лицевой счёт?" in page and account.number in page and 'name="confirm"' in page
    assert client.post(f"/profile/accounts/{link.pk}/unlink/").status_code == 200
    assert AccountLink.objects.filter(pk=link.pk).exists()
    assert client.post(f"/profile/accounts/{link.pk}/unlink/", {"confirm": "1"})["Location"] == "/profile/"
    assert not AccountLink.objects.filter(pk=link.pk).exists()


def test_someone_elses_link_answers_404_and_nothing_changes(client, subscriber):
    foreign = AccountLinkFactory()
    client.force_login(subscriber)
    assert client.post(f"/profile/accounts/{foreign.pk}/receipts/", {"receipts_by_email": "on"}).status_code == 404
    assert client.post(f"/profile/accounts/{foreign.pk}/unlink/", {"confirm": "1"}).status_code == 404
    assert client.get(f"/profile/accounts/{foreign.pk}/unlink/").status_code == 404
    assert client.post("/profile/accounts/999999/unlink/", {"confirm": "1"}).status_code == 404
    assert AccountLink.objects.filter(pk=foreign.pk).exists()
    foreign.refresh_from_db()
    assert not foreign.receipts_by_email


def test_delete_user_needs_the_password(client, subscriber, account):
    client.force_login(subscriber)
    assert client.post("/profile/delete/", {"password": "wrong"}).status_code == 400
    assert User.objects.filter(username="ivanov").exists()
    response = client.post("/profile/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(username="ivanov").exists()
    assert SESSION_KEY not in client.session
    account.refresh_from_db()


def test_consent_page(client):
    assert "152-ФЗ" in client.get("/consent/").content.decode()


# --- forced password change (seed 000) ---


def test_must_change_password_redirects_everywhere_until_changed(client, subscriber):
    subscriber.must_change_password = True
    subscriber.save()
    _login(client, "ivanov")
    for url in ("/cabinet/", "/profile/", "/cabinet/accounts/add/"):
        assert client.get(url)["Location"] == "/password/change/"
    response = client.post("/password/change/", {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    response = client.post("/password/change/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/cabinet/").status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.must_change_password and subscriber.check_password(NEW_PASSWORD)


def test_confirm_and_email_change_links_expire_after_24_hours(
    client, subscriber, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/username/", _username_form())
    confirm = path_of(link_in(mailoutbox[0]))
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/profile/email/", {"email": "new@example.ru"})
    change = path_of(link_in(mailoutbox[1]))
    with time_machine.travel(later(hours=24, minutes=1)):
        client.force_login(subscriber)  # the session of the day before ended after its idle time
        assert client.get(change).status_code == 400
        assert Client().get(confirm).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.email == "ivanov@example.ru"
    assert not User.objects.get(username="petrov").is_active


def test_test_client_login_works_with_the_lockout_backend(client, subscriber):
    assert client.login(username="ivanov", password=PASSWORD)
    assert client.get("/cabinet/").status_code == 200


def test_cabinet_queries_do_not_grow_with_accounts(client, subscriber, django_assert_max_num_queries):
    for _ in range(5):
        AccountLinkFactory(user=subscriber)
    client.force_login(subscriber)
    # Seven whatever the number of accounts: the meters near their verification's end and the organisations'
    # outages (cold cache) are one query each for all the accounts.
    with django_assert_max_num_queries(7):
        page = client.get("/cabinet/").content.decode()
    assert page.count("account-card") == 6


def test_registration_form_says_too_many_tries(client, account):
    for i in range(5):
        client.post("/register/receipt/", _receipt_form(account, activation_code=f"0000-0000-000{i}"))
    page = client.post("/register/receipt/", _receipt_form(account)).content.decode()
    assert "Слишком много попыток" in page
    assert not User.objects.exists()
