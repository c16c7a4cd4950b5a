"""Back office: issuing access with a slip, the registration reset with its audit row, and organisation scoping."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from abonent.testing.factories import (
    AccountLinkFactory,
    OperatorFactory,
    PersonalAccountFactory,
    UserFactory,
)
from abonent.users.models import AccountLink, AuditEvent, User

from .conftest import NEW_PASSWORD

pytestmark = pytest.mark.django_db

ISSUE = "/admin/users/accountlink/issue/"


@pytest.fixture
def mine(db):
    return PersonalAccountFactory(number="820000010")


@pytest.fixture
def theirs(db):
    return PersonalAccountFactory(number="820000020")


@pytest.fixture
def operator_client(mine):
    client = Client()
    client.force_login(OperatorFactory(organisation=mine.organisation))
    return client


def test_operator_issues_access_and_gets_a_printable_slip(operator_client, mine):
    assert operator_client.get(ISSUE).status_code == 200
    response = operator_client.post(ISSUE, {"organisation": mine.organisation.pk, "account_number": mine.number})
    page = response.content.decode()
    assert response.status_code == 200
    # printable: its print stylesheet is a static file (the Content-Security-Policy allows no inline style)
    assert '<link rel="stylesheet" href="/static/users/slip.css">' in page
    assert "@media print" in Path(finders.find("users/slip.css")).read_text()
    assert mine.number in page and mine.premises.address in page
    assert "no-store" in response["Cache-Control"]  # the temporary password stays in no cache
    password = re.search(r'id="slip-password">([^<]+)<', page).group(1)
    user = User.objects.get(username=mine.number)
    assert user.must_change_password and user.check_password(password)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_ISSUED, account=mine).exists()
    # The subscriber's first login leads to the forced change, and nowhere else, until a new password is set.
    subscriber = Client()
    assert subscriber.post("/login/", {"username": mine.number, "password": password}).status_code == 302
    assert subscriber.get("/cabinet/")["Location"] == "/password/change/"
    subscriber.post("/password/change/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert mine.number in subscriber.get("/cabinet/").content.decode()


def test_operator_cannot_issue_access_to_another_organisations_account(operator_client, mine, theirs):
    response = operator_client.post(ISSUE, {"organisation": theirs.organisation.pk, "account_number": theirs.number})
    assert response.status_code == 200
    assert not User.objects.filter(username=theirs.number).exists()
    # Whatever organisation is posted, the operator's own is searched: the other's number is not found.
    response = operator_client.post(ISSUE, {"organisation": mine.organisation.pk, "account_number": theirs.number})
    assert "не найден" in response.content.decode()
    assert not AccountLink.objects.exists()


def test_issue_refuses_a_taken_login(operator_client, mine):
    UserFactory(username="taken")
    response = operator_client.post(
        ISSUE, {"organisation": mine.organisation.pk, "account_number": mine.number, "login": "taken"}
    )
    assert "логин уже занят" in response.content.decode().lower()
    assert not AccountLink.objects.exists()


def test_subscribers_cannot_reach_the_issue_page(mine):
    client = Client()
    client.force_login(UserFactory())
    assert client.get(ISSUE).status_code == 302
    assert not User.objects.filter(username=mine.number).exists()


def test_registration_reset_action_is_audited_and_scoped(operator_client, mine, theirs):
    mine_link = AccountLinkFactory(account=mine)
    theirs_link = AccountLinkFactory(account=theirs)
    old_code = mine.activation_code
    response = operator_client.post(
        "/admin/users/accountlink/",
        {"action": "reset_registration", "_selected_action": [mine_link.pk, theirs_link.pk]},
    )
    assert response.status_code == 302
    assert not AccountLink.objects.filter(pk=mine_link.pk).exists()
    assert AccountLink.objects.filter(pk=theirs_link.pk).exists()  # another organisation's: untouched
    mine.refresh_from_db()
    assert mine.activation_code != old_code
    event = AuditEvent.objects.get(action=AuditEvent.Action.REGISTRATION_RESET)
    assert event.account == mine and event.actor.organisation == mine.organisation


def test_operator_sees_only_their_organisations_links_users_and_audit(operator_client, mine, theirs):
    mine_link = AccountLinkFactory(account=mine, user=UserFactory(username="mysub"))
    theirs_link = AccountLinkFactory(account=theirs, user=UserFactory(username="othersub"))
    AuditEvent.objects.create(action=AuditEvent.Action.CODE_ISSUED, account=theirs)
    page = operator_client.get("/admin/users/accountlink/").content.decode()
    assert "mysub" in page and "othersub" not in page
    assert operator_client.get(f"/admin/users/accountlink/{theirs_link.pk}/change/").status_code in (302, 404)
    page = operator_client.get("/admin/users/user/").content.decode()
    assert "mysub" in page and "othersub" not in page
    assert operator_client.get(f"/admin/users/user/{theirs_link.user.pk}/change/").status_code in (302, 404)
    assert operator_client.get(f"/admin/users/user/{mine_link.user.pk}/change/").status_code == 200
    assert "820000020" not in operator_client.get("/admin/users/auditevent/").content.decode()


def test_superuser_manages_operators(mine):
    admin_client = Client()
    admin_client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = admin_client.post(
        "/admin/users/user/add/",
        {
            "username": "oper",
            "email": "oper@example.ru",
            "organisation": mine.organisation.pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    oper = User.objects.get(username="oper")
    assert oper.is_staff and oper.is_operator
    assert oper.groups.filter(name="Операторы").exists()


def test_registration_reset_from_the_account_list(operator_client, mine, theirs):
    AccountLinkFactory(account=mine)
    AccountLinkFactory(account=theirs)
    response = operator_client.post(
        "/admin/housing/personalaccount/",
        {"action": "reset_registration", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 302
    assert not mine.user_links.exists()
    assert theirs.user_links.exists()
    assert list(AuditEvent.objects.values_list("account", flat=True)) == [mine.pk]
