"""The back office refuses bad houses, premises and accounts with a Russian message and saves nothing."""

from decimal import Decimal

import pytest

from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.orgs.tests.test_admin_scope import form_data, url
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = f.OperatorFactory()
    client.force_login(user)
    return user


@pytest.fixture
def premises(operator):
    return f.PremisesFactory(building__organisation=operator.organisation)


def account_post(premises, number, **extra):
    return {
        "number": number,
        "premises": premises.pk,
        "payer_name": "Сидорова Анна Петровна",
        "opened_on": "01.02.2026",
        "closed_on": "",
        "activation_code": "",
        "els": "",
        **extra,
    }


def test_operator_cannot_open_a_second_account_with_the_same_number(operator, premises, client):
    # given an account 820000123 in the operator's organisation
    f.PersonalAccountFactory(premises=premises, number="820000123")
    count = PersonalAccount.objects.count()
    # when the operator adds another with that number (the organisation is not a field of their form)
    response = client.post(url(PersonalAccount, "add"), account_post(premises, "820000123"))
    # then the form says so in Russian and nothing is saved
    assert response.status_code == 200
    assert "Лицевой счёт с таким номером в организации уже есть." in response.content.decode()
    assert PersonalAccount.objects.count() == count


def test_operator_cannot_renumber_an_account_onto_another(operator, premises, client):
    f.PersonalAccountFactory(premises=premises, number="820000123")
    other = f.PersonalAccountFactory(premises=premises, number="820000124")
    data = form_data(client.get(url(PersonalAccount, "change", other.pk)))
    data["number"] = "820000123"
    response = client.post(url(PersonalAccount, "change", other.pk), data)
    assert "Лицевой счёт с таким номером в организации уже есть." in response.content.decode()
    other.refresh_from_db()
    assert other.number == "820000124"


def test_the_same_number_in_another_organisation_is_allowed(operator, premises, client):
    f.PersonalAccountFactory(number="820000123")  # someone else's organisation
    response = client.post(url(PersonalAccount, "add"), account_post(premises, "820000123"))
    assert response.status_code == 302
    assert PersonalAccount.objects.filter(number="820000123").count() == 2


def test_superuser_cannot_duplicate_an_account_number_either(premises, admin_client):
    f.PersonalAccountFactory(premises=premises, number="820000123")
    count = PersonalAccount.objects.count()
    data = account_post(premises, "820000123", organisation=premises.building.organisation_id)
    response = admin_client.post(url(PersonalAccount, "add"), data)
    assert "Лицевой счёт с таким номером в организации уже есть." in response.content.decode()
    assert PersonalAccount.objects.count() == count


def test_superuser_cannot_open_an_account_on_another_organisations_premises(premises, admin_client):
    other_org = f.OrganisationFactory()
    count = PersonalAccount.objects.count()
    response = admin_client.post(
        url(PersonalAccount, "add"), account_post(premises, "5550001", organisation=other_org.pk)
    )
    assert "Помещение находится в доме другой организации." in response.content.decode()
    assert PersonalAccount.objects.count() == count


@pytest.mark.parametrize(("number", "message"), [("12-34", "от 6 до 30 цифр"), ("123", "от 6 до 30 цифр")])
def test_malformed_account_number_is_refused(number, message, operator, premises, client):
    count = PersonalAccount.objects.count()
    response = client.post(url(PersonalAccount, "add"), account_post(premises, number))
    assert message in response.content.decode()
    assert PersonalAccount.objects.count() == count


def test_account_closed_before_it_opened_is_refused(operator, premises, client):
    response = client.post(url(PersonalAccount, "add"), account_post(premises, "5550001", closed_on="01.01.2026"))
    assert "Дата закрытия не может быть раньше даты открытия." in response.content.decode()
    assert not PersonalAccount.objects.filter(number="5550001").exists()


def empty_inlines(client, model):
    data = form_data(client.get(url(model, "add")))
    return {key: value for key, value in data.items() if key.split("-")[-1].isupper()}


@pytest.mark.parametrize("field", ["total_area", "common_area"])
def test_negative_building_area_is_refused(field, operator, client):
    data = {"address": "г. Ульяновск, ул. Минаева, д. 5", "total_area": "1000", "common_area": "100"}
    data[field] = "-1"
    response = client.post(url(Building, "add"), {**data, **empty_inlines(client, Building)})
    assert response.status_code == 200
    assert "Площадь не может быть отрицательной." in response.content.decode()
    assert not Building.objects.filter(address=data["address"]).exists()


@pytest.mark.parametrize("field", ["total_area", "living_area"])
def test_negative_premises_area_is_refused(field, operator, premises, client):
    data = form_data(client.get(url(Premises, "change", premises.pk)))
    data[field] = "-12,5"
    response = client.post(url(Premises, "change", premises.pk), data)
    assert "Площадь не может быть отрицательной." in response.content.decode()
    premises.refresh_from_db()
    assert premises.total_area == Decimal("54.30")
    assert premises.living_area is None


def test_negative_area_in_the_building_premises_inline_is_refused(operator, premises, client):
    building = premises.building
    data = form_data(client.get(url(Building, "change", building.pk)))
    data["premises-0-total_area"] = "-54"
    response = client.post(url(Building, "change", building.pk), data)
    assert "Площадь не может быть отрицательной." in response.content.decode()
    premises.refresh_from_db()
    assert premises.total_area == Decimal("54.30")


def test_living_area_larger_than_total_is_refused(operator, premises, client):
    data = form_data(client.get(url(Premises, "change", premises.pk)))
    data["living_area"] = "60"
    response = client.post(url(Premises, "change", premises.pk), data)
    assert "Жилая площадь не может быть больше общей." in response.content.decode()
    premises.refresh_from_db()
    assert premises.living_area is None


def test_duplicate_premises_number_in_a_building_is_refused(operator, premises, client):
    count = Premises.objects.count()
    data = {
        "building": premises.building_id,
        "number": premises.number,
        "kind": "flat",
        "total_area": "40",
        "residents": "1",
        "ownership": "private",
        **empty_inlines(client, Premises),
    }
    response = client.post(url(Premises, "add"), data)
    assert "Помещение с таким номером в доме уже есть." in response.content.decode()
    assert Premises.objects.count() == count


def test_duplicate_building_address_is_refused(operator, premises, client):
    count = Building.objects.count()
    data = {"address": premises.building.address, "total_area": "1", "common_area": "1"}
    response = client.post(url(Building, "add"), {**data, **empty_inlines(client, Building)})
    assert "Дом с таким адресом у организации уже есть." in response.content.decode()
    assert Building.objects.count() == count


def test_a_forged_total_forms_builds_no_thousands_of_forms(operator, client):
    # TOTAL_FORMS=20 digits: Django would build up to 2 000 inline forms (seconds of one request)
    data = {
        "address": "г. Ульяновск, ул. Гончарова, д. 99",
        "total_area": "100",
        "common_area": "10",
        "premises-TOTAL_FORMS": "99999999999999999999",
        "premises-INITIAL_FORMS": "0",
    }
    response = client.post(url(Building, "add"), data)
    assert response.status_code == 200
    forms = [len(inline.formset.forms) for inline in response.context["inline_admin_formsets"]]
    assert forms and max(forms) <= 100
    assert not Building.objects.filter(address=data["address"]).exists()
