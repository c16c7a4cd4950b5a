"""An operator of one organisation cannot list, open, change, delete or pick anything of another, by URL too.

Each test sets up two organisations with a full register each (given), acts as an operator of the first
(when) and checks what the back office shows and what the database holds (then).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abonent.billing.models import Norm, Service, Tariff
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering.models import Meter
from abonent.orgs.models import Organisation
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@dataclass
class Register:
    organisation: Organisation
    building: Building
    premises: Premises
    account: PersonalAccount
    meter: Meter
    house_meter: Meter
    service: Service
    tariff: Tariff
    norm: Norm

    def of(self, model):
        return {
            Organisation: self.organisation,
            Building: self.building,
            Premises: self.premises,
            PersonalAccount: self.account,
            Meter: self.meter,
            Service: self.service,
            Tariff: self.tariff,
            Norm: self.norm,
        }[model]


def make_register(**org_fields) -> Register:
    organisation = f.OrganisationFactory(**org_fields)
    building = f.BuildingFactory(organisation=organisation)
    premises = f.PremisesFactory(building=building)
    service = f.ServiceFactory(organisation=organisation)
    return Register(
        organisation=organisation,
        building=building,
        premises=premises,
        account=f.PersonalAccountFactory(premises=premises),
        meter=f.MeterFactory(premises=premises),
        house_meter=f.MeterFactory(premises=None, building=building),
        service=service,
        tariff=f.TariffFactory(service=service),
        norm=f.NormFactory(service=service),
    )


@pytest.fixture
def org_a():
    return make_register(short_name="УК «Альфа»")


@pytest.fixture
def org_b():
    return make_register(short_name="Водоканал «Бета»")


@pytest.fixture
def operator_a(org_a, client):
    operator = f.OperatorFactory(username="operator-a", organisation=org_a.organisation)
    client.force_login(operator)
    return operator


def url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def form_data(response) -> dict:
    """What the browser would send back for the form in an admin change/add page, unchanged."""
    data = {}

    def put(form):
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            if field.widget.input_type == "checkbox" if hasattr(field.widget, "input_type") else False:
                if value:
                    data[key] = "on"
            elif value is None:
                data[key] = ""
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = str(value)
        for form in formset.forms:
            put(form)
    return data


REGISTER_MODELS = [Building, Premises, PersonalAccount, Meter, Service, Tariff, Norm]


# --- listing ---
@pytest.mark.parametrize("model", REGISTER_MODELS)
def test_operator_lists_only_own_organisations_rows(model, org_a, org_b, operator_a, client):
    # given two organisations' registers; when operator A opens the change list
    response = client.get(url(model, "changelist"))
    # then only A's rows are there
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert org_a.of(model).pk in shown
    assert org_b.of(model).pk not in shown


def test_operator_lists_house_meters_of_own_organisation_only(org_a, org_b, operator_a, client):
    response = client.get(url(Meter, "changelist"))
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert org_a.house_meter.pk in shown
    assert org_b.house_meter.pk not in shown


def test_operator_search_does_not_find_another_organisations_account(org_a, org_b, operator_a, client):
    response = client.get(url(PersonalAccount, "changelist"), {"q": org_b.account.number})
    assert list(response.context["cl"].result_list) == []
    response = client.get(url(PersonalAccount, "changelist"), {"q": org_a.account.number})
    assert list(response.context["cl"].result_list) == [org_a.account]


@pytest.mark.parametrize("model", REGISTER_MODELS)
def test_superuser_lists_both_organisations(model, org_a, org_b, admin_client):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert {org_a.of(model).pk, org_b.of(model).pk} <= shown


def test_superuser_gets_the_organisation_filter_and_operator_does_not(org_a, org_b, operator_a, client, admin_client):
    assert "Водоканал «Бета»" in admin_client.get(url(PersonalAccount, "changelist")).content.decode()
    assert "Водоканал «Бета»" not in client.get(url(PersonalAccount, "changelist")).content.decode()


def test_building_filter_offers_only_own_houses(org_a, org_b, operator_a, client):
    page = client.get(url(PersonalAccount, "changelist")).content.decode()
    assert org_a.building.address in page
    assert org_b.building.address not in page


# --- opening, changing, deleting by URL ---
@pytest.mark.parametrize("model", [Organisation, *REGISTER_MODELS])
def test_operator_cannot_open_another_organisations_object_by_url(model, org_a, org_b, operator_a, client):
    other = org_b.of(model)
    # when A's operator types B's object's URL; then it is not there at all
    assert client.get(url(model, "change", other.pk)).status_code == 404
    assert client.get(url(model, "history", other.pk)).status_code == 404
    # while A's own opens
    assert client.get(url(model, "change", org_a.of(model).pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTER_MODELS)
def test_operator_cannot_change_another_organisations_object_by_post(model, org_a, org_b, operator_a, client):
    # given the data of A's own object's form, aimed at B's object
    data = form_data(client.get(url(model, "change", org_a.of(model).pk)))
    other = org_b.of(model)
    before = model.objects.filter(pk=other.pk).values().get()
    # when posted to B's change URL
    response = client.post(url(model, "change", other.pk), data)
    # then nothing of B's changed
    assert response.status_code == 404
    assert model.objects.filter(pk=other.pk).values().get() == before


def test_operator_cannot_change_another_organisations_card(org_a, org_b, operator_a, client):
    data = form_data(client.get(url(Organisation, "change", org_a.organisation.pk)))
    data["phone"] = "+7 000"
    response = client.post(url(Organisation, "change", org_b.organisation.pk), data)
    assert response.status_code == 404
    org_b.organisation.refresh_from_db()
    assert org_b.organisation.phone != "+7 000"


@pytest.mark.parametrize("model", REGISTER_MODELS)
def test_operator_cannot_delete_another_organisations_object(model, org_a, org_b, operator_a, client):
    other = org_b.of(model)
    assert client.get(url(model, "delete", other.pk)).status_code == 404
    assert client.post(url(model, "delete", other.pk), {"post": "yes"}).status_code == 404
    # nor through the change list's bulk action with B's id slipped in
    client.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=other.pk).exists()


def test_bulk_delete_with_a_foreign_id_deletes_only_own(org_a, org_b, operator_a, client):
    own = f.TariffFactory(service=org_a.service, valid_from=dt.date(2027, 1, 1), valid_to=None)
    client.post(
        url(Tariff, "changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, org_b.tariff.pk], "post": "yes"},
    )
    assert not Tariff.objects.filter(pk=own.pk).exists()
    assert Tariff.objects.filter(pk=org_b.tariff.pk).exists()


# --- foreign-key choices ---
def _refused_choice(response, field):
    assert response.status_code == 200, "the form comes back with its errors"
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert "Выберите корректный вариант" in str(errors[field])


def test_premises_cannot_be_created_in_another_organisations_building(org_a, org_b, operator_a, client):
    count = Premises.objects.count()
    response = client.post(
        url(Premises, "add"),
        {
            "building": org_b.building.pk,
            "number": "999",
            "kind": "flat",
            "total_area": "40",
            "residents": "1",
            "ownership": "private",
            **_empty_inlines(client, Premises),
        },
    )
    _refused_choice(response, "building")
    assert Premises.objects.count() == count


def test_account_cannot_be_opened_on_another_organisations_premises(org_a, org_b, operator_a, client):
    count = PersonalAccount.objects.count()
    response = client.post(
        url(PersonalAccount, "add"),
        {"number": "5550001", "premises": org_b.premises.pk, "payer_name": "Петров П. П.", "opened_on": "01.01.2026"},
    )
    _refused_choice(response, "premises")
    assert PersonalAccount.objects.count() == count


@pytest.mark.parametrize("field", ["premises", "building"])
def test_meter_cannot_be_put_into_another_organisations_premises_or_house(field, org_a, org_b, operator_a, client):
    count = Meter.objects.count()
    response = client.post(
        url(Meter, "add"),
        {
            field: getattr(org_b, field).pk,
            "resource": "cold_water",
            "serial_number": "X-1",
            "installed_on": "01.01.2026",
            "verification_due": "01.01.2032",
            "digits_before": "5",
            "digits_after": "3",
            "initial_value": "0",
            "status": "active",
        },
    )
    _refused_choice(response, field)
    assert Meter.objects.count() == count


@pytest.mark.parametrize("model", [Tariff, Norm])
def test_tariff_or_norm_cannot_be_added_to_another_organisations_service(model, org_a, org_b, operator_a, client):
    count = model.objects.count()
    data = {"service": org_b.service.pk, "valid_from": "01.01.2030", "valid_to": ""}
    data.update({"price": "10"} if model is Tariff else {"value": "1", "basis": "resident"})
    response = client.post(url(model, "add"), data)
    _refused_choice(response, "service")
    assert model.objects.count() == count


def test_foreign_key_choices_in_forms_list_only_own_organisation(org_a, org_b, operator_a, client):
    form = client.get(url(Tariff, "add")).context["adminform"].form
    assert set(form.fields["service"].queryset) == {org_a.service}
    form = client.get(url(Premises, "add")).context["adminform"].form
    assert set(form.fields["building"].queryset) == {org_a.building}


def test_autocomplete_answers_only_own_organisations_premises(org_a, org_b, operator_a, client):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "metering", "model_name": "meter", "field_name": "premises", "term": "Ульяновск"},
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {org_a.premises.pk}


def test_autocomplete_answers_only_own_organisations_buildings(org_a, org_b, operator_a, client):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "housing", "model_name": "premises", "field_name": "building", "term": ""},
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {org_a.building.pk}


def _empty_inlines(client, model) -> dict:
    """The management forms of the add page's inlines, with no rows."""
    data = form_data(client.get(url(model, "add")))
    return {key: value for key, value in data.items() if "-" in key and key.split("-")[-1].isupper()}


# --- the organisation of a new object is the operator's ---
def test_operator_is_not_offered_the_organisation_and_new_rows_are_theirs(org_a, org_b, operator_a, client):
    form = client.get(url(Building, "add")).context["adminform"].form
    assert "organisation" not in form.fields
    # when a crafted POST names B as the organisation
    response = client.post(
        url(Building, "add"),
        {
            "organisation": org_b.organisation.pk,
            "address": "г. Ульяновск, ул. Новая, д. 1",
            "total_area": "100",
            "common_area": "10",
            **_empty_inlines(client, Building),
        },
    )
    # then the house is A's all the same
    assert response.status_code == 302
    assert Building.objects.get(address="г. Ульяновск, ул. Новая, д. 1").organisation == org_a.organisation


def test_operator_creates_service_and_account_in_own_organisation(org_a, org_b, operator_a, client):
    response = client.post(
        url(Service, "add"),
        {
            "code": "heat",
            "name": "Отопление",
            "unit": "Гкал",
            "method": "area",
            "resource": "",
            "multiplying_factor_applies": "on",
            "payee": "agent",  # the select's default, as a browser sends it
            "sort_order": "10",
            "is_active": "on",
            **_empty_inlines(client, Service),
        },
    )
    assert response.status_code == 302
    assert Service.objects.get(code="heat").organisation == org_a.organisation
    response = client.post(
        url(PersonalAccount, "add"),
        {"number": "5550001", "premises": org_a.premises.pk, "payer_name": "Петров П. П.", "opened_on": "01.01.2026"},
    )
    assert response.status_code == 302
    assert PersonalAccount.objects.get(number="5550001").organisation == org_a.organisation


def test_superuser_chooses_the_organisation(org_a, org_b, admin_client):
    form = admin_client.get(url(Building, "add")).context["adminform"].form
    assert set(form.fields["organisation"].queryset) == {org_a.organisation, org_b.organisation}


# --- the organisation's own card ---
def test_operator_edits_own_card_but_not_its_code(org_a, operator_a, client):
    # the list of organisations is just the operator's own card
    response = client.get(url(Organisation, "changelist"))
    assert response.status_code == 302
    assert response["Location"] == url(Organisation, "change", org_a.organisation.pk)
    data = form_data(client.get(url(Organisation, "change", org_a.organisation.pk)))
    assert "code" not in data
    data.update(phone="+7 (8422) 11-22-33", code="hacked")
    response = client.post(url(Organisation, "change", org_a.organisation.pk), data)
    assert response.status_code == 302
    org_a.organisation.refresh_from_db()
    assert org_a.organisation.phone == "+7 (8422) 11-22-33"
    assert org_a.organisation.code != "hacked"


def test_operator_cannot_create_or_delete_organisations(org_a, operator_a, client):
    count = Organisation.objects.count()
    assert client.get(url(Organisation, "add")).status_code == 403
    assert client.post(url(Organisation, "add"), {"code": "new", "name": "Новая"}).status_code == 403
    assert client.post(url(Organisation, "delete", org_a.organisation.pk), {"post": "yes"}).status_code == 403
    assert Organisation.objects.count() == count


def test_operator_cannot_create_organisations_even_with_the_permission_granted(org_a, operator_a, client):
    operator_a.user_permissions.add(Permission.objects.get(codename="add_organisation"))
    assert client.get(url(Organisation, "add")).status_code == 403


# --- staff with no organisation, and visitors ---
def test_the_login_page_opens_for_an_anonymous_visitor(client):
    assert client.get(reverse("admin:login")).status_code == 200
    response = client.get(url(Building, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_organisation_sees_nothing(org_a, client):
    staff = f.UserFactory(is_staff=True)
    staff.groups.add(__import__("abonent.orgs.services", fromlist=["x"]).operators_group())
    client.force_login(staff)
    for model in [Organisation, *REGISTER_MODELS]:
        assert client.get(url(model, "changelist")).status_code == 403
        assert client.get(url(model, "change", org_a.of(model).pk)).status_code in (403, 404)
    index = client.get(reverse("admin:index"))
    assert index.context["app_list"] == []


def test_operator_edits_a_tariff_price_in_own_service(org_a, operator_a, client):
    data = form_data(client.get(url(Tariff, "change", org_a.tariff.pk)))
    data["price"] = "51,30"
    response = client.post(url(Tariff, "change", org_a.tariff.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org_a.tariff.refresh_from_db()
    assert org_a.tariff.price == Decimal("51.30")


# --- change lists stay fast: the number of queries does not grow with the rows shown ---
def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", REGISTER_MODELS)
@pytest.mark.parametrize("who", ["operator", "superuser"])
def test_change_list_queries_do_not_grow_with_rows(model, who, org_a, org_b, operator_a, client, admin_client):
    browser = client if who == "operator" else admin_client
    path = url(model, "changelist")
    before = _queries(browser, path)
    for n in range(3):
        make_register(short_name=f"Ещё {n}")  # more of everything in other organisations, for the superuser
        f.MeterFactory(premises=f.PremisesFactory(building=org_a.building))
        f.PersonalAccountFactory(premises=f.PremisesFactory(building=org_a.building))
        f.TariffFactory(service=f.ServiceFactory(organisation=org_a.organisation))
    assert _queries(browser, path) == before
