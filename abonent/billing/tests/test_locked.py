"""Locked reference data: a tariff, норматив or service a published period was charged by cannot be changed or
deleted, in the back office or in code; a new dated row can still be added after it."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from abonent.billing import cycle
from abonent.billing.models import Charge, Norm, Service, Tariff
from abonent.billing.tests.test_admin_tariffs import add_inline_row
from abonent.orgs.tests.test_admin_scope import form_data, url
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)
LOCKED = "Тариф использован в опубликованном периоде октябрь 2026"
ADVICE = "добавьте новую строку с датой начала или сделайте перерасчёт"


@pytest.fixture
def operator(client):
    user = f.OperatorFactory()
    client.force_login(user)
    return user


@pytest.fixture
def tariff(operator):
    """Upkeep at 30,51 ₽ a month since 2026, charged in the published October."""
    org = operator.organisation
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, code="upkeep", method=Service.Method.FIXED, resource="")
    row = f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("30.51"))
    cycle.period_close(organisation=org, month=OCTOBER)
    assert Charge.objects.get(service=svc).amount == D("30.51")
    return row


def test_changing_a_used_tariff_in_the_admin_is_refused(client, tariff):
    data = form_data(client.get(url(Tariff, "change", tariff.pk)))
    data["price"] = "99,99"
    page = client.post(url(Tariff, "change", tariff.pk), data).content.decode()
    assert LOCKED in page and ADVICE in page
    tariff.refresh_from_db()
    assert tariff.price == D("30.51")


def test_changing_a_used_tariff_in_the_services_page_is_refused(client, tariff):
    service_url = url(Service, "change", tariff.service_id)
    data = form_data(client.get(service_url))
    data["tariffs-0-price"] = "99,99"
    page = client.post(service_url, data).content.decode()
    assert LOCKED in page
    tariff.refresh_from_db()
    assert tariff.price == D("30.51")


def test_deleting_a_used_tariff_in_the_admin_is_refused(client, tariff):
    page = client.get(url(Tariff, "delete", tariff.pk)).content.decode()
    assert LOCKED in page
    client.post(url(Tariff, "delete", tariff.pk), {"post": "yes"})
    service_url = url(Service, "change", tariff.service_id)
    data = form_data(client.get(service_url))
    data["tariffs-0-DELETE"] = "on"
    assert LOCKED in client.post(service_url, data).content.decode()
    assert Tariff.objects.filter(pk=tariff.pk).exists()


def test_a_new_dated_row_after_the_published_month_is_accepted(client, tariff):
    service_url = url(Service, "change", tariff.service_id)
    data = form_data(client.get(service_url))
    data["tariffs-0-valid_to"] = "31.10.2026"  # still covers October
    add_inline_row(data, "tariffs", valid_from="01.11.2026", valid_to="", price="33,00")
    response = client.post(service_url, data)
    assert response.status_code == 302
    tariff.refresh_from_db()
    assert (tariff.price, tariff.valid_to) == (D("30.51"), dt.date(2026, 10, 31))
    assert Tariff.objects.get(service=tariff.service, valid_from=dt.date(2026, 11, 1)).price == D("33.00")


def test_used_tariff_is_locked_in_code_too(tariff):
    tariff.price = D("99.99")
    with pytest.raises(ValidationError, match=LOCKED):
        tariff.save()
    tariff.refresh_from_db()
    tariff.valid_to = dt.date(2026, 10, 15)  # would cut into the published October
    with pytest.raises(ValidationError, match=LOCKED):
        tariff.save()
    with pytest.raises(ValidationError, match=LOCKED):
        Tariff.objects.get(pk=tariff.pk).delete()
    assert Tariff.objects.get(pk=tariff.pk).price == D("30.51")


def test_unused_tariff_stays_editable(tariff):
    tariff.valid_to = dt.date(2026, 12, 31)  # the end may move as long as October stays covered
    tariff.save()
    later = f.TariffFactory(service=tariff.service, valid_from=dt.date(2027, 1, 1), valid_to=None, price=D("40"))
    later.price = D("41")
    later.save()
    later.delete()


def test_used_norm_is_locked(operator):
    org = operator.organisation
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, code="tko", method=Service.Method.NORM, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
    norm = f.NormFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, value=D("0.2"))
    cycle.period_close(organisation=org, month=OCTOBER)
    norm.value = D("0.3")
    with pytest.raises(ValidationError, match="Норматив использован в опубликованном периоде октябрь 2026"):
        norm.full_clean()
    with pytest.raises(ValidationError, match="Норматив использован"):
        norm.save()
    assert Norm.objects.get(pk=norm.pk).value == D("0.2")


def test_used_service_cannot_be_renamed_but_can_be_reordered(client, tariff):
    service_url = url(Service, "change", tariff.service_id)
    data = form_data(client.get(service_url))
    data["name"] = "Другая услуга"
    page = client.post(service_url, data).content.decode()
    assert "Услуга использована в опубликованном периоде октябрь 2026" in page
    data = form_data(client.get(service_url))
    data["sort_order"] = "7"
    assert client.post(service_url, data).status_code == 302
    service = Service.objects.get(pk=tariff.service_id)
    assert (service.name, service.sort_order) == (tariff.service.name, 7)
