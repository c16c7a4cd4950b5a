"""«Добавить лицевой счёт»: the house is chosen from the organisation's list (filtered by the words typed, at most
20, with or without the page's script); the captcha can be reloaded."""

import pytest
from django.urls import reverse

from abonent.testing import factories as f
from abonent.users.models import AccountLink

from .conftest import CAPTCHA

pytestmark = pytest.mark.django_db
ADD = "/cabinet/accounts/add/"


def _form(account, **over):
    data = {
        "organisation": account.organisation.pk,
        "house_search": "",
        "building": account.premises.building.pk,
        "apartment": account.premises.number,
        "account_number": account.number,
        "payment_date": "",
        "payment_amount": "",
        "activation_code": account.activation_code,
        **CAPTCHA,
    }
    data.update(over)
    return data


@pytest.fixture
def city(account):
    """The account's organisation with 30 more houses on one street: more than a list shows."""
    org = account.organisation
    for n in range(1, 31):
        f.BuildingFactory(organisation=org, address=f"г. Тестовск, ул. Садовая, д. {n}")
    return org


def test_houses_endpoint_filters_the_organisations_houses(client, account, city):
    client.force_login(f.UserFactory())
    other = f.BuildingFactory(address="г. Тестовск, ул. Садовая, д. 7, чужой")  # another organisation's
    url = reverse("users:account_add_houses")
    everything = client.get(url, {"organisation": city.pk}).json()["houses"]
    assert len(everything) == 20
    found = client.get(url, {"organisation": city.pk, "q": "садовая 7"}).json()["houses"]
    assert [h["address"] for h in found] == ["г. Тестовск, ул. Садовая, д. 7"]
    assert other.pk not in {h["id"] for h in found}
    mine = client.get(url, {"organisation": city.pk, "q": account.premises.building.address}).json()["houses"]
    assert [h["id"] for h in mine] == [account.premises.building.pk]


@pytest.mark.parametrize("org", ["", "abc", "0", "99999999", "1" * 30])
def test_houses_endpoint_bad_organisation_is_a_russian_error(client, account, org):
    client.force_login(f.UserFactory())
    response = client.get(reverse("users:account_add_houses"), {"organisation": org})
    assert response.status_code == 400
    assert response.json()["error"] == "Выберите организацию из списка."


def test_houses_endpoint_needs_login(client, account):
    response = client.get(reverse("users:account_add_houses"), {"organisation": account.organisation.pk})
    assert response.status_code == 302


def test_without_script_show_houses_then_add(client, account, city):
    client.force_login(f.UserFactory())
    page = client.post(
        ADD, {"organisation": city.pk, "house_search": "садовая 12", "find_houses": "1", **CAPTCHA}
    ).content.decode()
    assert ">г. Тестовск, ул. Садовая, д. 12</option>" in page
    assert "д. 13</option>" not in page
    assert not AccountLink.objects.exists()
    assert "Выберите дом" not in page  # showing the list is no failed attempt
    response = client.post(ADD, _form(account))
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert AccountLink.objects.get().account == account


def test_house_list_follows_the_chosen_house_and_organisation(client, account, city):
    client.force_login(f.UserFactory())
    page = client.post(ADD, _form(account, activation_code="0000-0000-0000")).content.decode()
    assert f'<option value="{account.premises.building.pk}" selected>' in page  # kept after a failed try


@pytest.mark.parametrize(
    ("building", "message"),
    [("", "Выберите дом из списка."), ("abc", "Выберите дом из списка"), ("999999", "Выберите дом из списка")],
)
def test_bad_house_is_a_russian_error(client, account, building, message):
    client.force_login(f.UserFactory())
    response = client.post(ADD, _form(account, building=building))
    assert response.status_code == 200 and message in response.content.decode()
    assert not AccountLink.objects.exists()


def test_another_organisations_house_is_refused(client, account):
    client.force_login(f.UserFactory())
    foreign = f.BuildingFactory()
    page = client.post(ADD, _form(account, building=foreign.pk)).content.decode()
    assert "Выберите дом из списка домов этой организации." in page
    assert not AccountLink.objects.exists()


def test_another_house_of_the_organisation_is_no_proof(client, account, city):
    client.force_login(f.UserFactory())
    neighbour = city.buildings.exclude(pk=account.premises.building_id).first()
    page = client.post(ADD, _form(account, building=neighbour.pk)).content.decode()
    assert "Не удалось подтвердить лицевой счёт" in page
    assert not AccountLink.objects.exists()


def test_captcha_has_a_reload_button(client, account):
    client.force_login(f.UserFactory())
    page = client.get(ADD).content.decode()
    assert "Загрузить новый код" in page and f'data-url="{reverse("captcha-refresh")}"' in page
    assert "users/captcha_refresh.js" in page
    fresh = client.get(reverse("captcha-refresh"), headers={"X-Requested-With": "XMLHttpRequest"}).json()
    assert fresh["key"] and fresh["image_url"].startswith("/captcha/image/")
