"""Error answers are Russian pages: a too big body, too many fields, a stale form, a wrong method, bad filters."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client

from abonent.billing.models import Tariff
from abonent.housing.models import Premises
from abonent.lib.inputs import parse_id, parse_money
from abonent.orgs.tests.test_admin_scope import form_data, url
from abonent.payments.services import PaymentError, parse_amount
from abonent.testing import factories as f
from abonent.users import services as user_services

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def russian(response) -> str:
    text = response.content.decode()
    assert "Bad Request" not in text and "Forbidden" not in text
    return text


def test_a_3_mb_body_gets_the_russian_400_page(client):
    response = client.post("/login/", {"username": "x" * 3_000_000, "password": "y"})
    assert response.status_code == 400
    assert "Неверный запрос" in russian(response)


def test_1200_fields_get_the_russian_400_page(client):
    response = client.post("/login/", {f"f{i}": "1" for i in range(1200)})
    assert response.status_code == 400
    assert "Неверный запрос" in russian(response)


def test_a_stale_csrf_token_gets_a_russian_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "ivanov", "password": "x"})
    assert response.status_code == 403
    assert "Форма устарела" in russian(response)


def test_a_wrong_method_gets_a_russian_page_and_keeps_allow(client):
    response = client.get("/logout/")
    assert response.status_code == 405
    assert "Так страницу не открыть" in russian(response)
    assert "POST" in response["Allow"]


def test_a_permission_refusal_is_russian(client):
    operator = f.OperatorFactory()
    client.force_login(operator)
    response = client.get("/admin/auth/group/")
    assert response.status_code == 403
    assert "Доступ запрещён" in russian(response)


@pytest.mark.parametrize("value", ["abc", HUGE, "-1", "%FF%FE"])
@pytest.mark.parametrize(
    "changelist", ["housing/premises", "housing/personalaccount", "metering/meter", "support/appeal"]
)
def test_the_house_filter_takes_any_value(client, changelist, value):
    operator = f.OperatorFactory()
    f.PremisesFactory(building__organisation=operator.organisation)
    client.force_login(operator)
    response = client.get(f"/admin/{changelist}/?building={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("param", ["paid_on__year", "paid_on__month", "paid_on__day"])
def test_a_20_digit_year_in_the_payments_list_is_a_bad_lookup_not_a_500(admin_client, param):
    response = admin_client.get(f"/admin/payments/payment/?paid_on__year=2026&{param}={HUGE}")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def test_a_20_digit_year_in_a_third_party_list_is_the_russian_400(admin_client):
    response = admin_client.get(f"/admin/otp_totp/totpdevice/?created_at__year={HUGE}")
    assert response.status_code == 400
    assert "Неверный запрос" in russian(response)


@pytest.mark.parametrize("typed", ["１２３", "１２３,４５", "٣"])
def test_payment_amounts_in_other_digits_are_refused(typed):
    with pytest.raises(PaymentError):
        parse_amount(typed)
    assert parse_money(typed) is None
    assert user_services.amount_parse(typed) is None


def test_ascii_amounts_still_parse():
    assert parse_amount("1 234,5") == Decimal("1234.50")
    assert str(user_services.amount_parse("123.45")) == "123.45"
    assert user_services.amount_parse("1e999") is None


def test_phones_and_codes_are_ascii_digits():
    with pytest.raises(ValidationError):
        user_services.phone_normalize("８９１７５５５５５５５")
    assert user_services.phone_normalize("8 917 555-55-55") == "+79175555555"
    assert not user_services.CODE_RE.match("１２３４-５６７８-９０１２")
    assert user_services.activation_code_normalize("１２３４５６７８９０１２") != "1234-5678-9012"


@pytest.mark.parametrize("value", ["５８", HUGE, "0", "-1", "", None, "9" * 19, "abc", 2**63])
def test_parse_id_refuses_what_cannot_be_an_id(value):
    assert parse_id(value) is None


def test_parse_id_takes_ids():
    assert parse_id("42") == 42
    assert parse_id(2**63 - 1) == 2**63 - 1


def test_the_back_office_refuses_full_width_digits_in_numbers(client):
    operator = f.OperatorFactory()
    tariff = f.TariffFactory(service__organisation=operator.organisation)
    client.force_login(operator)
    data = form_data(client.get(url(Tariff, "change", tariff.pk)))
    data["price"] = "５０"
    response = client.post(url(Tariff, "change", tariff.pk), data)
    assert "цифрами 0–9" in response.content.decode()
    tariff.refresh_from_db()
    assert tariff.price == Decimal("45.2700")


def test_the_back_office_refuses_full_width_digits_in_whole_numbers(client):
    operator = f.OperatorFactory()
    premises = f.PremisesFactory(building__organisation=operator.organisation, residents=2)
    client.force_login(operator)
    data = form_data(client.get(url(Premises, "change", premises.pk)))
    data["residents"] = "５"
    response = client.post(url(Premises, "change", premises.pk), data)
    assert "цифрами 0–9" in response.content.decode()
    premises.refresh_from_db()
    assert premises.residents == 2


def test_a_form_body_that_is_not_utf8_is_refused_in_russian(client):
    response = client.generic(
        "POST", "/password/reset/", b"login=%FF%FEivanov&email=a%40example.ru", "application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "не в кодировке UTF-8" in russian(response)


def test_a_multipart_text_field_that_was_not_utf8_is_refused(client):
    boundary = "BoUnDaRy"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="login"\r\n\r\n'.encode()
        + b"\xff\xfeivanov\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = client.generic("POST", "/password/reset/", body, f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "не в кодировке UTF-8" in russian(response)


def test_utf8_forms_pass(client):
    response = client.post("/password/reset/", {"login": "иванов", "email": "a@example.ru"})
    assert response.status_code != 400


def test_the_back_office_refuses_a_date_in_the_year_9999(client):
    operator = f.OperatorFactory()
    tariff = f.TariffFactory(service__organisation=operator.organisation)
    client.force_login(operator)
    data = form_data(client.get(url(Tariff, "change", tariff.pk)))
    data["valid_to"] = "31.12.9999"
    response = client.post(url(Tariff, "change", tariff.pk), data)
    assert "меньше либо равно" in response.content.decode()
    tariff.refresh_from_db()
    assert tariff.valid_to.year == 2026


@pytest.mark.parametrize(
    "template, heading",
    [("500.html", "Ошибка на сервере"), ("400.html", "Неверный запрос")],
)
def test_standalone_error_pages_render_without_a_request(template, heading):
    # Django renders them with no request and no context processors: they must stand without base.html.
    page = render_to_string(template)
    assert f"<h1>{heading}</h1>" in page and f"<title>{heading} — Абонент</title>" in page
    assert 'href="/contacts/"' in page
