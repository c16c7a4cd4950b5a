"""The users' services check what their forms check: they are entry points too (commands, other services)."""

import pytest
from django.core.exceptions import ValidationError

from abonent.testing import factories as f
from abonent.users import services
from abonent.users.models import User

pytestmark = pytest.mark.django_db


def test_register_by_username_refuses_a_login_longer_than_the_column():
    with pytest.raises(ValidationError) as exc:
        services.user_register_by_username(
            username="x" * 200, email="a@example.ru", password="pass-2026-word", base_url="http://testserver"
        )
    assert "username" in exc.value.message_dict
    assert not User.objects.filter(email="a@example.ru").exists()


def test_register_by_username_refuses_what_is_no_email():
    with pytest.raises(ValidationError) as exc:
        services.user_register_by_username(
            username="ivanov", email="not an e-mail", password="pass-2026-word", base_url="http://testserver"
        )
    assert "email" in exc.value.message_dict
    assert not User.objects.filter(username="ivanov").exists()


def test_email_change_refuses_what_is_no_email():
    user = f.UserFactory()
    with pytest.raises(ValidationError):
        services.user_email_change_request(
            user=user, new_email="x" * 300 + "@example.ru", base_url="http://t", ip="192.0.2.1"
        )


def test_operator_access_refuses_a_login_longer_than_the_column():
    account = f.PersonalAccountFactory()
    operator = f.OperatorFactory(organisation=account.organisation)
    with pytest.raises(ValidationError) as exc:
        services.operator_access_issue(account=account, login="x" * 151, actor=operator)
    assert "login" in exc.value.message_dict
    assert not User.objects.filter(username__startswith="xxx").exists()
