"""Suppliers: requisites checked by the organisation's own rules, a service's supplier and payee, and the back
office keeping an operator to their organisation's suppliers."""

import pytest
from django.core.exceptions import ValidationError

from abonent.billing.models import Service
from abonent.orgs.models import Supplier
from abonent.orgs.tests.test_admin_scope import form_data, url
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = f.OperatorFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("settlement_account", "40702810069000001234", "Расчётный счёт не соответствует БИК банка"),
        ("correspondent_account", "40101810000000000602", "Корреспондентский счёт банка начинается с 301."),
        ("inn", "7707083890", "ИНН введён с ошибкой: не сходится контрольное число."),
        ("kpp", "73250100", "КПП должен состоять из 9 цифр."),
        ("bik", "04730860A", "БИК должен состоять из 9 цифр."),
        ("agent_fee_percent", "100.01", "Убедитесь, что это значение меньше либо равно 100."),
    ],
)
def test_bad_requisites_are_refused_in_russian_and_nothing_is_saved(field, value, message, operator, client):
    supplier = f.SupplierFactory(organisation=operator.organisation)
    before = Supplier.objects.filter(pk=supplier.pk).values().get()
    data = form_data(client.get(url(Supplier, "change", supplier.pk)))
    data[field] = value
    data["phone"] = "+7 (8422) 99-99-99"
    response = client.post(url(Supplier, "change", supplier.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Supplier.objects.filter(pk=supplier.pk).values().get() == before


def test_operator_adds_a_supplier_of_their_own_organisation(operator, client):
    data = form_data(client.get(url(Supplier, "add")))
    data.update(
        name="Акционерное общество «Теплосеть»",
        short_name="АО «Теплосеть»",
        inn="7707083893",
        kpp="770701001",
        bank_name="ПАО Сбербанк",
        bik="044525225",
        correspondent_account="30101810400000000225",
        settlement_account="40702810938000012345",
        agent_fee_percent="2.5",
    )
    response = client.post(url(Supplier, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Supplier.objects.get(inn="7707083893").organisation == operator.organisation


def test_another_organisations_supplier_is_not_there(operator, client):
    other = f.SupplierFactory()
    assert client.get(url(Supplier, "change", other.pk)).status_code == 404
    assert client.get(url(Supplier, "delete", other.pk)).status_code == 404
    mine = f.SupplierFactory(organisation=operator.organisation)
    listed = client.get(url(Supplier, "changelist")).content.decode()
    assert mine.short_name in listed and other.short_name not in listed


def test_service_form_offers_only_own_suppliers_and_explains_payee(operator, client):
    mine = f.SupplierFactory(organisation=operator.organisation)
    other = f.SupplierFactory()
    service = f.ServiceFactory(organisation=operator.organisation, method=Service.Method.FIXED, resource="")
    page = client.get(url(Service, "change", service.pk))
    choices = {str(c) for c in page.context["adminform"].form.fields["supplier"].queryset}
    assert mine.short_name in choices and other.short_name not in choices
    data = form_data(page)
    data.update(supplier="", payee=Service.Payee.DIRECT)
    response = client.post(url(Service, "change", service.pk), data)
    assert "Напрямую платят только другому поставщику" in response.content.decode()
    data.update(supplier=str(other.pk))
    assert "Выберите корректный вариант" in client.post(url(Service, "change", service.pk), data).content.decode()
    data.update(supplier=str(mine.pk))
    assert client.post(url(Service, "change", service.pk), data).status_code == 302
    service.refresh_from_db()
    assert (service.supplier, service.payee) == (mine, Service.Payee.DIRECT)


def test_model_refuses_a_supplier_of_another_organisation():
    service = f.ServiceFactory(method=Service.Method.FIXED, resource="")
    service.supplier = f.SupplierFactory()
    with pytest.raises(ValidationError, match="Поставщик другой организации"):
        service.full_clean()
