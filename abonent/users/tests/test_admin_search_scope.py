"""An operator's search of users finds their own subscribers by their own accounts only: it must not tell
whether a subscriber also holds an account number in another organisation."""

import pytest

from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def both():
    """A subscriber with account 820000111 in the operator's organisation and 930000222 in another."""
    operator = f.OperatorFactory()
    subscriber = f.UserFactory(username="sidorova")
    mine = f.PersonalAccountFactory(premises__building__organisation=operator.organisation, number="820000111")
    theirs = f.PersonalAccountFactory(number="930000222")
    f.AccountLinkFactory(user=subscriber, account=mine)
    f.AccountLinkFactory(user=subscriber, account=theirs)
    return operator, subscriber


def found(client, term) -> bool:
    response = client.get("/admin/users/user/", {"q": term})
    assert response.status_code == 200
    return "sidorova" in response.content.decode()


def test_operator_does_not_find_a_subscriber_by_another_organisations_number(client, both):
    operator, _ = both
    client.force_login(operator)
    assert not found(client, "930000222")
    assert not found(client, "9300002")


def test_operator_finds_the_subscriber_by_own_number_and_name(client, both):
    operator, _ = both
    client.force_login(operator)
    assert found(client, "820000111")
    assert found(client, "sidorova")


def test_superuser_finds_by_any_number(admin_client, both):
    assert found(admin_client, "930000222")
