"""Meters in the back office: bad dates and digits are refused in Russian; the verification filter works."""

import datetime as dt

import pytest
import time_machine

from abonent.housing.models import Premises
from abonent.metering.models import Meter
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


def meter_post(where, **changes):
    data = {
        "premises": where.pk,
        "building": "",
        "place": "Кухня",
        "resource": "cold_water",
        "serial_number": "77001234",
        "model_name": "",
        "digits_before": "5",
        "digits_after": "3",
        "installed_on": "01.03.2024",
        "sealed_on": "",
        "verification_due": "01.03.2030",
        "initial_value": "0",
        "status": "active",
        "closed_on": "",
    }
    data.update(changes)
    return data


def test_a_good_meter_is_saved(operator, premises, client):
    response = client.post(url(Meter, "add"), meter_post(premises))
    assert response.status_code == 302
    assert Meter.objects.get(serial_number="77001234").premises == premises


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"verification_due": "01.02.2024"}, "Дата окончания поверки должна быть позже даты установки."),
        ({"verification_due": "01.03.2024"}, "Дата окончания поверки должна быть позже даты установки."),
        ({"sealed_on": "28.02.2024"}, "Дата допуска не может быть раньше даты установки."),
        ({"digits_before": "0"}, "Убедитесь, что это значение больше либо равно 1."),
        ({"digits_before": "10"}, "Убедитесь, что это значение меньше либо равно 9."),
        ({"digits_after": "7"}, "Убедитесь, что это значение меньше либо равно 6."),
        ({"initial_value": "-1"}, "Начальное показание не может быть отрицательным."),
        ({"building": "HOUSE"}, "Прибор учёта стоит либо в помещении, либо на доме (общедомовой)."),
        ({"premises": ""}, "Прибор учёта стоит либо в помещении, либо на доме (общедомовой)."),
    ],
)
def test_bad_meter_is_refused_in_russian_and_not_saved(changes, message, operator, premises, client):
    if changes.get("building") == "HOUSE":
        changes = {"building": premises.building_id}
    response = client.post(url(Meter, "add"), meter_post(premises, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meter.objects.exists()


def test_verification_moved_before_installation_on_an_existing_meter_is_refused(operator, premises, client):
    meter = f.MeterFactory(premises=premises)
    data = form_data(client.get(url(Meter, "change", meter.pk)))
    data["verification_due"] = "01.01.2022"
    response = client.post(url(Meter, "change", meter.pk), data)
    assert "Дата окончания поверки должна быть позже даты установки." in response.content.decode()
    meter.refresh_from_db()
    assert meter.verification_due == dt.date(2028, 3, 1)


def test_verification_before_installation_in_the_premises_inline_is_refused(operator, premises, client):
    meter = f.MeterFactory(premises=premises)
    data = form_data(client.get(url(Premises, "change", premises.pk)))
    data["meters-0-verification_due"] = "01.01.2020"
    response = client.post(url(Premises, "change", premises.pk), data)
    assert "Дата окончания поверки должна быть позже даты установки." in response.content.decode()
    meter.refresh_from_db()
    assert meter.verification_due == dt.date(2028, 3, 1)


@time_machine.travel(dt.datetime(2026, 11, 23, 20, 30, tzinfo=dt.UTC))
def test_verification_filter_uses_the_organisations_today(operator, premises, client):
    # given the organisation in Ulyanovsk (UTC+4): at 20:30 UTC it is 24 November there, still the 23rd in Moscow
    expired = f.MeterFactory(premises=premises, verification_due=dt.date(2026, 11, 23))
    valid = f.MeterFactory(premises=premises, verification_due=dt.date(2026, 11, 24))
    # when the operator asks for meters whose verification has expired
    response = client.get(url(Meter, "changelist"), {"verification": "expired"})
    assert list(response.context["cl"].result_list) == [expired]
    response = client.get(url(Meter, "changelist"), {"verification": "valid"})
    assert list(response.context["cl"].result_list) == [valid]
    page = client.get(url(Meter, "changelist")).content.decode()
    assert "Поверка: истекла" in page and "Поверка: действует" in page


def test_meters_are_found_by_serial_number_and_address(operator, premises, client):
    meter = f.MeterFactory(premises=premises, serial_number="ZX-998877")
    house_meter = f.MeterFactory(premises=None, building=premises.building, serial_number="H-1")
    response = client.get(url(Meter, "changelist"), {"q": "998877"})
    assert list(response.context["cl"].result_list) == [meter]
    response = client.get(url(Meter, "changelist"), {"q": premises.building.address})
    assert set(response.context["cl"].result_list) == {meter, house_meter}
