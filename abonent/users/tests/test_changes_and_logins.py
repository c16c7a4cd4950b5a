"""The forced change refuses the temporary password; the e-mail change is limited and tells nothing about
other people's addresses; logins are written in one script wherever they are set."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from abonent.testing.factories import OperatorFactory, PersonalAccountFactory, UserFactory
from abonent.users import services
from abonent.users.models import User

from .conftest import CAPTCHA, NEW_PASSWORD, PASSWORD

pytestmark = pytest.mark.django_db

SAME_AS_TEMPORARY = "должен отличаться от выданного организацией временного пароля"


# --- forced password change -------------------------------------------------------------------------------


@pytest.fixture
def issued(db):
    account = PersonalAccountFactory(number="820000901")
    operator = OperatorFactory(organisation=account.organisation)
    return services.operator_access_issue(account=account, login="", actor=operator)


def test_forced_change_refuses_the_temporary_password(issued):
    user, temporary = issued
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": temporary}).status_code == 302
    response = client.post("/password/change/", {"new_password1": temporary, "new_password2": temporary})
    assert response.status_code == 200 and SAME_AS_TEMPORARY in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(temporary)
    response = client.post("/password/change/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and not user.check_password(temporary)


def test_the_service_refuses_the_temporary_password_too(issued):
    user, temporary = issued
    with pytest.raises(ValidationError) as exc:
        services.user_password_set(user=user, password=temporary)
    assert SAME_AS_TEMPORARY in str(exc.value)
    user.refresh_from_db()
    assert user.must_change_password


# --- e-mail change ----------------------------------------------------------------------------------------


def _email_change(client, email):
    return client.post("/profile/email/", {"email": email}, follow=True).content.decode()


def _answer(html: str, email: str) -> str:
    """What the page says, with the address typed taken out."""
    start = html.index("<main")
    main = html[start : html.index("</main>")].replace(email, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", main)


def test_email_change_answers_the_same_for_a_taken_address(
    client, subscriber, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="owner", email="taken@example.ru")
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        taken = _answer(_email_change(client, "taken@example.ru"), "taken@example.ru")
        free = _answer(_email_change(client, "free@example.ru"), "free@example.ru")
    assert taken == free and "отправлена ссылка" in taken
    # The link goes only to the free address; the owner of the taken one gets a notice without a link.
    assert [m.to for m in mailoutbox] == [["taken@example.ru"], ["free@example.ru"]]
    assert "/profile/email/confirm/" not in mailoutbox[0].body
    assert "/profile/email/confirm/" in mailoutbox[1].body
    subscriber.refresh_from_db()
    assert subscriber.email == "ivanov@example.ru"


def test_email_change_is_limited_per_user(client, subscriber, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            assert "отправлена ссылка" in _email_change(client, f"new{i}@example.ru")
        page = _email_change(client, "one-more@example.ru")
    assert "Слишком много запросов на смену e-mail" in page
    assert len(mailoutbox) == 5


def test_email_change_is_limited_per_ip(mailoutbox, django_capture_on_commit_callbacks):
    sent = 0
    for i in range(25):
        client = Client(REMOTE_ADDR="192.0.2.50")
        client.force_login(UserFactory())
        with django_capture_on_commit_callbacks(execute=True):
            if "отправлена ссылка" in _email_change(client, f"victim{i}@example.ru"):
                sent += 1
    assert sent == 20 and len(mailoutbox) == 20
    other = Client(REMOTE_ADDR="192.0.2.51")
    other.force_login(UserFactory())
    assert "отправлена ссылка" in _email_change(other, "fine@example.ru")


# --- logins in one script ---------------------------------------------------------------------------------

MIXED = "ivаnov"  # the third letter is the Cyrillic «а»
MIXED_MESSAGE = "одного алфавита"


def test_registration_refuses_a_mixed_script_login(client, mailoutbox):
    data = {"email": "mix@example.ru", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "consent": "on"}
    response = client.post("/register/username/", {"username": MIXED, **data, **CAPTCHA})
    assert response.status_code == 200 and MIXED_MESSAGE in response.content.decode()
    assert not User.objects.filter(email="mix@example.ru").exists() and not mailoutbox
    response = client.post("/register/username/", {"username": "иванов", **data, **CAPTCHA})
    assert User.objects.filter(username="иванов").exists()


def test_services_refuse_a_mixed_script_login(db):
    with pytest.raises(ValidationError) as exc:
        services.user_register_by_username(username=MIXED, email="m@example.ru", password=PASSWORD, base_url="/")
    assert MIXED_MESSAGE in str(exc.value.message_dict["username"])
    account = PersonalAccountFactory(number="820000902")
    operator = OperatorFactory(organisation=account.organisation)
    with pytest.raises(ValidationError) as exc:
        services.operator_access_issue(account=account, login="Pеtrov", actor=operator)  # Cyrillic «е»
    assert MIXED_MESSAGE in str(exc.value.message_dict["login"])
    assert not User.objects.filter(username__in=[MIXED, "Pеtrov"]).exists()


def test_back_office_refuses_a_mixed_script_login(db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    data = {"email": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    response = client.post("/admin/users/user/add/", {"username": MIXED, **data})
    assert response.status_code == 200 and MIXED_MESSAGE in response.content.decode()
    target = UserFactory(username="plain")
    page = client.get(f"/admin/users/user/{target.pk}/change/")
    assert page.status_code == 200
    form = {
        "username": MIXED,
        "email": target.email,
        "is_active": "on",
        "date_joined_0": "01.01.2026",
        "date_joined_1": "10:00:00",
        "account_links-TOTAL_FORMS": "0",
        "account_links-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/users/user/{target.pk}/change/", form)
    assert MIXED_MESSAGE in response.content.decode()
    target.refresh_from_db()
    assert target.username == "plain"
