"""An operator editing the organisation's card cannot save requisites that fail their checks."""

import pytest

from abonent.orgs.models import Organisation
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
        ("bik", "04730860", "БИК должен состоять из 9 цифр."),
        ("bik", "04730860A", "БИК должен состоять из 9 цифр."),
        ("settlement_account", "4070281069000000123", "Расчётный счёт должен состоять из 20 цифр."),
        ("settlement_account", "40702810X69000001234", "Расчётный счёт должен состоять из 20 цифр."),
        ("settlement_account", "40702810069000001234", "Расчётный счёт не соответствует БИК банка"),
        ("correspondent_account", "30101810000000000603", "Корреспондентский счёт не соответствует БИК банка"),
        ("correspondent_account", "40101810000000000602", "Корреспондентский счёт банка начинается с 301."),
        ("correspondent_account", "301018100000000006", "Корреспондентский счёт должен состоять из 20 цифр."),
        ("inn", "7707083890", "ИНН введён с ошибкой: не сходится контрольное число."),
        ("inn", "500100732250", "ИНН введён с ошибкой: не сходится контрольное число."),
        ("inn", "77070838931", "ИНН должен состоять из 10 или 12 цифр."),
        ("kpp", "73250100", "КПП должен состоять из 9 цифр."),
        ("kpp", "73250100Z", "КПП должен состоять из 9 цифр."),
        ("readings_last_day", "5", "Последний день приёма показаний не может быть раньше первого."),
        ("payment_due_day", "32", "Убедитесь, что это значение меньше либо равно 31."),
        ("timezone", "Mars/Olympus", "Выберите корректный вариант."),
    ],
)
def test_bad_requisites_are_refused_in_russian_and_nothing_is_saved(field, value, message, operator, client):
    # given the operator's own organisation card as it is
    organisation = operator.organisation
    before = Organisation.objects.filter(pk=organisation.pk).values().get()
    data = form_data(client.get(url(Organisation, "change", organisation.pk)))
    # when one requisite is wrong (and the phone changed too, to see that nothing at all is saved)
    data[field] = value
    data["phone"] = "+7 (8422) 99-99-99"
    response = client.post(url(Organisation, "change", organisation.pk), data)
    # then the card comes back with the Russian message next to it, and the database is as before
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organisation.objects.filter(pk=organisation.pk).values().get() == before


def test_a_settlement_account_right_for_another_bank_is_refused_after_the_bank_changes(operator, client):
    # The account 40702810969000001234 is keyed against Ulyanovsk's БИК; Sberbank Moscow's БИК does not fit it.
    organisation = operator.organisation
    data = form_data(client.get(url(Organisation, "change", organisation.pk)))
    data.update(bik="044525225", correspondent_account="30101810400000000225")
    response = client.post(url(Organisation, "change", organisation.pk), data)
    assert "Расчётный счёт не соответствует БИК банка" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.bik == f.BIK


def test_good_requisites_are_saved(operator, client):
    organisation = operator.organisation
    data = form_data(client.get(url(Organisation, "change", organisation.pk)))
    data.update(
        bik="044525225",
        correspondent_account="30101810400000000225",
        settlement_account="40702810938000012345",
        inn="7707083893",
        kpp="770701001",
        timezone="Europe/Samara",
    )
    response = client.post(url(Organisation, "change", organisation.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert (organisation.bik, organisation.inn, organisation.timezone) == ("044525225", "7707083893", "Europe/Samara")


def test_the_card_is_laid_out_in_sections(operator, client):
    page = client.get(url(Organisation, "change", operator.organisation.pk)).content.decode()
    for section in ("Реквизиты", "Банк", "Часовой пояс и расчётный цикл", "Объявление"):
        assert section in page
