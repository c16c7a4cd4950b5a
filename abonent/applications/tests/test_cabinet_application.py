import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from abonent.applications.models import CabinetApplication, Document
from abonent.support.tests.test_bad_input import png_claiming
from abonent.testing.smtp import smtp_server

from .conftest import CAPTCHA, pdf, png

pytestmark = pytest.mark.django_db
APPLY = "/apply/cabinet/"


def _data(org, **extra):
    return {
        "organisation": org.pk,
        "account_number": "7300012345",
        "full_name": "Смирнова Анна Петровна",
        "email": "anna@example.ru",
        "phone": "+79170001122",
        "address": "г. Ульяновск, ул. Гончарова, д. 5, кв. 7",
        "files": [png(), pdf()],
        **CAPTCHA,
        **extra,
    }


def _change(application):
    return reverse("admin:applications_cabinetapplication_change", args=[application.pk])


def test_apply_accept_login_mailed_and_must_change_password(
    client, settings, org, account, operator, django_capture_on_commit_callbacks
):
    with smtp_server(settings) as inbox:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(APPLY, _data(org))
        assert response.status_code == 302, response.content.decode()[:3000]
        application = CabinetApplication.objects.get()
        assert response["Location"] == f"/apply/cabinet/{application.token}/"
        assert len(inbox.to("anna@example.ru")) == 1
        assert application.token in inbox.link("anna@example.ru")
        assert "На рассмотрении" in client.get(response["Location"]).content.decode()
        assert sorted(d.original_name for d in application.documents.all()) == ["dogovor.pdf", "kvitanciya.png"]

        client.force_login(operator)
        page = client.get(_change(application)).content.decode()
        assert "kvitanciya.png" in page
        document = application.documents.get(original_name="kvitanciya.png")
        assert client.get(reverse("applications:document", args=[document.pk])).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_change(application), {"decision": "accept", "login": "", "reason": ""})
        assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == CabinetApplication.Status.ACCEPTED
    user = application.user
    assert user.username == account.number and user.must_change_password and user.email == "anna@example.ru"
    assert user.account_links.get().account == account
    letter = inbox.to("anna@example.ru")[-1].get_body(preferencelist=("plain",)).get_content()
    password = re.search(r"Временный пароль: (\S+)", letter).group(1)
    assert user.check_password(password)
    client.logout()
    assert "Доступ выдан" in client.get(f"/apply/cabinet/{application.token}/").content.decode()


def test_unknown_account_or_refusal_without_reason_is_a_russian_form_error(client, org, account, operator):
    client.post(APPLY, _data(org, account_number="7399999999"))
    application = CabinetApplication.objects.get()
    client.force_login(operator)
    response = client.post(_change(application), {"decision": "accept", "login": "", "reason": ""})
    assert response.status_code == 200 and "Лицевого счёта № 7399999999 в организации нет" in response.content.decode()
    response = client.post(_change(application), {"decision": "refuse", "login": "", "reason": "  "})
    assert "Напишите причину отказа" in response.content.decode()
    application.refresh_from_db()
    assert application.status == CabinetApplication.Status.NEW
    assert not get_user_model().objects.filter(username="7399999999").exists()


def test_refusal_with_reason_is_mailed(client, settings, org, operator, django_capture_on_commit_callbacks):
    with smtp_server(settings) as inbox, django_capture_on_commit_callbacks(execute=True):
        client.post(APPLY, _data(org))
        application = CabinetApplication.objects.get()
        client.force_login(operator)
        reason = "На скане не видно номера лицевого счёта."
        assert client.post(_change(application), {"decision": "refuse", "reason": reason}).status_code == 302
    letter = inbox.to("anna@example.ru")[-1].get_body(preferencelist=("plain",)).get_content()
    assert reason in letter
    application.refresh_from_db()
    assert application.status == CabinetApplication.Status.REFUSED and application.refusal_reason == reason
    assert reason in client.get(f"/apply/cabinet/{application.token}/").content.decode()


def test_documents_and_applications_of_one_organisation_only(client, org, other_operator, django_user_model):
    client.post(APPLY, _data(org))
    application = CabinetApplication.objects.get()
    document = Document.objects.first()
    url = reverse("applications:document", args=[document.pk])
    assert client.get(url).status_code == 302  # an anonymous visitor is sent to the login
    client.force_login(other_operator)
    assert client.get(_change(application)).status_code == 404
    assert client.get(url).status_code == 404
    assert "Смирнова" not in client.get(reverse("admin:applications_cabinetapplication_changelist")).content.decode()
    client.force_login(django_user_model.objects.create_user("subscriber", "s@example.ru", "pass-2026-word"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"files": []}, "Приложите скан или фото документа"),
        ({"files": [png("scan.png", b"not an image at all")]}, "не является изображением JPEG или PNG"),
        ({"files": [png("bomb.png", png_claiming(100_000, 100_000))]}, "слишком большое"),
        ({"files": [png(f"{i}.png") for i in range(6)]}, "не больше 5 файлов"),
        ({"account_number": "12ab"}, "от 6 до 30 цифр"),
        ({"email": "нет"}, "Введите правильный адрес электронной почты"),
        ({"organisation": "999999999999999999999"}, "Выберите организацию из списка"),
        ({"captcha_1": "WRONG"}, "Код с картинки введён неверно"),
        ({"full_name": "x" * 201}, "не более 200 символов"),
    ],
)
def test_bad_input_refused_in_russian_nothing_saved(client, org, extra, message):
    response = client.post(APPLY, _data(org, **extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CabinetApplication.objects.exists() and not Document.objects.exists()


def test_rate_limited_per_address(client, org):
    for _ in range(5):
        assert client.post(APPLY, _data(org)).status_code == 302
    response = client.post(APPLY, _data(org))
    assert response.status_code == 400 and "слишком много заявлений" in response.content.decode()
    assert CabinetApplication.objects.count() == 5


def test_unknown_token_is_404(client, db):
    assert client.get("/apply/cabinet/nope/").status_code == 404
