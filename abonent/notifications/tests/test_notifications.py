import pytest
from django.urls import reverse

from abonent.notifications.models import Kind
from abonent.notifications.selectors import wants
from abonent.notifications.services import unsubscribe_url
from abonent.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_settings_page_turns_kinds_off_and_on(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("notifications:settings")).status_code == 200
    client.post(reverse("notifications:settings"), {"kinds": [Kind.RECEIPT, Kind.PAYMENT]})
    assert wants(user, Kind.RECEIPT) and wants(user, Kind.PAYMENT)
    assert not wants(user, Kind.APPEAL_ANSWER) and not wants(user, Kind.READINGS_OPENS)
    client.post(reverse("notifications:settings"), {"kinds": list(Kind.values)})
    assert all(wants(user, kind) for kind in Kind.values)


def test_no_address_no_mail():
    assert not wants(UserFactory(email=""), Kind.RECEIPT)


def test_unsubscribe_link_works_without_login_and_only_on_post(client):
    user = UserFactory()
    url = unsubscribe_url(user, Kind.READINGS_CLOSES)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200 and "Отписаться" in response.content.decode()
    assert wants(user, Kind.READINGS_CLOSES)  # a link scanner opening it changes nothing
    response = client.post("/" + path)
    assert response.status_code == 200 and "больше не будут приходить" in response.content.decode()
    assert not wants(user, Kind.READINGS_CLOSES) and wants(user, Kind.RECEIPT)


def test_forged_token_is_refused(client):
    user = UserFactory()
    path = unsubscribe_url(user, Kind.RECEIPT).split("/unsubscribe/")[1]
    response = client.post(f"/unsubscribe/{path[:-3]}xyz/")
    assert response.status_code == 404 and wants(user, Kind.RECEIPT)
