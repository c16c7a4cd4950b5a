"""Tariffs and norms in the back office: overlapping dates are refused in Russian, a tariff change is saved."""

import datetime as dt
from decimal import Decimal

import pytest

from abonent.billing.models import Norm, Service, Tariff
from abonent.orgs.tests.test_admin_scope import form_data, url
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = f.OperatorFactory()
    client.force_login(user)
    return user


@pytest.fixture
def tariff(operator):
    # given cold water at 45.27 ₽ for the first half of 2026
    return f.TariffFactory(service__organisation=operator.organisation)


def test_overlapping_tariff_is_refused_on_the_tariff_page(operator, tariff, client):
    count = Tariff.objects.count()
    # when a second tariff from 1 June (inside the first one) is added
    response = client.post(
        url(Tariff, "add"), {"service": tariff.service_id, "valid_from": "01.06.2026", "valid_to": "", "price": "50"}
    )
    # then the Russian message names the clash and nothing is saved
    page = response.content.decode()
    assert "Период действия тарифа пересекается с другим тарифом этой услуги." in page
    assert "с 01.01.2026 по 30.06.2026" in page
    assert Tariff.objects.count() == count


def test_tariff_ending_before_it_starts_is_refused(operator, tariff, client):
    response = client.post(
        url(Tariff, "add"),
        {"service": tariff.service_id, "valid_from": "01.09.2026", "valid_to": "01.08.2026", "price": "50"},
    )
    assert "Дата окончания раньше даты начала." in response.content.decode()
    assert Tariff.objects.count() == 1


def test_negative_tariff_is_refused(operator, tariff, client):
    data = form_data(client.get(url(Tariff, "change", tariff.pk)))
    data["price"] = "-1"
    response = client.post(url(Tariff, "change", tariff.pk), data)
    assert "Убедитесь, что это значение больше либо равно 0." in response.content.decode()
    tariff.refresh_from_db()
    assert tariff.price == Decimal("45.2700")


def test_moving_a_tariff_onto_another_is_refused(operator, tariff, client):
    later = f.TariffFactory(service=tariff.service, valid_from=dt.date(2026, 7, 1), valid_to=None)
    data = form_data(client.get(url(Tariff, "change", later.pk)))
    data["valid_from"] = "15.06.2026"
    response = client.post(url(Tariff, "change", later.pk), data)
    assert "пересекается" in response.content.decode()
    later.refresh_from_db()
    assert later.valid_from == dt.date(2026, 7, 1)


def service_page_data(client, service):
    return form_data(client.get(url(Service, "change", service.pk)))


def add_inline_row(data, prefix, **values):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-{index}-service"] = data.get(f"{prefix}-0-service", "")
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def test_overlapping_tariff_is_refused_in_the_service_page(operator, tariff, client):
    data = service_page_data(client, tariff.service)
    add_inline_row(data, "tariffs", valid_from="01.05.2026", valid_to="", price="50")
    response = client.post(url(Service, "change", tariff.service_id), data)
    assert response.status_code == 200
    assert "Период действия тарифа пересекается с другим тарифом этой услуги." in response.content.decode()
    assert Tariff.objects.count() == 1


def test_two_new_overlapping_tariffs_in_one_save_are_refused(operator, tariff, client):
    data = service_page_data(client, tariff.service)
    add_inline_row(data, "tariffs", valid_from="01.07.2026", valid_to="", price="50")
    add_inline_row(data, "tariffs", valid_from="01.09.2026", valid_to="", price="55")
    response = client.post(url(Service, "change", tariff.service_id), data)
    assert "Пересекаются периоды с 01.07.2026 бессрочно и с 01.09.2026 бессрочно." in response.content.decode()
    assert Tariff.objects.count() == 1


def test_closing_the_old_tariff_and_adding_the_new_one_in_one_save_works(operator, client):
    # given an open-ended tariff, as most are until the regulator changes them
    tariff = f.TariffFactory(service__organisation=operator.organisation, valid_to=None)
    # when the operator ends it on 30 June and adds the new one from 1 July in the same save
    data = service_page_data(client, tariff.service)
    data["tariffs-0-valid_to"] = "30.06.2026"
    add_inline_row(data, "tariffs", valid_from="01.07.2026", valid_to="", price="47,11")
    response = client.post(url(Service, "change", tariff.service_id), data)
    # then both are saved as meant
    assert response.status_code == 302
    rows = list(Tariff.objects.order_by("valid_from").values_list("valid_from", "valid_to", "price"))
    assert rows == [
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30), Decimal("45.2700")),
        (dt.date(2026, 7, 1), None, Decimal("47.1100")),
    ]


def test_moving_the_change_of_tariff_earlier_in_one_save_works(operator, client):
    # given 45,27 ₽ until 30 June and 47,11 ₽ from 1 July
    old = f.TariffFactory(service__organisation=operator.organisation)
    new = f.TariffFactory(service=old.service, valid_from=dt.date(2026, 7, 1), valid_to=None, price=Decimal("47.11"))
    # when the operator finds the new price applies from 1 June and moves both dates in one save
    data = service_page_data(client, old.service)
    rows = {data[f"tariffs-{i}-id"]: i for i in range(2)}
    data[f"tariffs-{rows[str(old.pk)]}-valid_to"] = "31.05.2026"
    data[f"tariffs-{rows[str(new.pk)]}-valid_from"] = "01.06.2026"
    response = client.post(url(Service, "change", old.service_id), data)
    # then both are saved (the database never saw the two overlap on the way)
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.valid_to, new.valid_from, new.valid_to) == (dt.date(2026, 5, 31), dt.date(2026, 6, 1), None)


def test_deleting_a_tariff_and_adding_one_in_its_place_in_one_save_works(operator, tariff, client):
    data = service_page_data(client, tariff.service)
    data["tariffs-0-DELETE"] = "on"
    add_inline_row(data, "tariffs", valid_from="01.01.2026", valid_to="", price="46")
    response = client.post(url(Service, "change", tariff.service_id), data)
    assert response.status_code == 302
    assert list(Tariff.objects.values_list("valid_from", "valid_to", "price")) == [
        (dt.date(2026, 1, 1), None, Decimal("46.0000"))
    ]


def test_overlapping_norm_is_refused_in_the_service_page(operator, client):
    norm = f.NormFactory(service__organisation=operator.organisation)
    data = service_page_data(client, norm.service)
    add_inline_row(data, "norms", valid_from="01.01.2026", valid_to="", value="5", basis="resident")
    response = client.post(url(Service, "change", norm.service_id), data)
    assert "Период действия норматива пересекается с другим нормативом этой услуги." in response.content.decode()
    assert Norm.objects.count() == 1


def test_overlapping_norm_is_refused_on_the_norm_page(operator, client):
    norm = f.NormFactory(service__organisation=operator.organisation)
    response = client.post(
        url(Norm, "add"),
        {"service": norm.service_id, "valid_from": "01.01.2026", "valid_to": "", "value": "5", "basis": "resident"},
    )
    assert "Период действия норматива пересекается с другим нормативом этой услуги." in response.content.decode()
    assert Norm.objects.count() == 1


def test_metered_service_without_a_resource_is_refused(operator, client):
    response = client.post(
        url(Service, "add"),
        {
            "code": "cw",
            "name": "Холодная вода",
            "unit": "м³",
            "method": "meter",
            "resource": "",
            "sort_order": "1",
            "is_active": "on",
            **{k: v for k, v in form_data(client.get(url(Service, "add"))).items() if k.split("-")[-1].isupper()},
        },
    )
    assert "Укажите ресурс: для этого способа расчёта он обязателен." in response.content.decode()
    assert not Service.objects.filter(code="cw").exists()


def test_duplicate_service_code_is_refused(operator, tariff, client):
    data = {
        "code": tariff.service.code,
        "name": "Ещё вода",
        "unit": "м³",
        "method": "norm",
        "sort_order": "1",
        **{k: v for k, v in form_data(client.get(url(Service, "add"))).items() if k.split("-")[-1].isupper()},
    }
    response = client.post(url(Service, "add"), data)
    assert "Услуга с таким кодом в организации уже есть." in response.content.decode()
    assert Service.objects.count() == 1
