from decimal import Decimal

import pytest
from django.urls import reverse

from abonent.applications.models import ConnectionApplication, ConnectionStatusChange
from abonent.testing.factories import UserFactory
from abonent.testing.smtp import smtp_server

from .conftest import CAPTCHA, pdf

pytestmark = pytest.mark.django_db
APPLY = "/apply/connection/"


def _data(org, **extra):
    return {
        "organisation": org.pk,
        "applicant": "ООО «Стройдом»",
        "email": "stroy@example.ru",
        "phone": "+78422000000",
        "object_address": "г. Ульяновск, ул. Новая, участок 14",
        "kind": "water",
        "load": "12,5",
        "files": [pdf("plan.pdf")],
        **CAPTCHA,
        **extra,
    }


def _change(application):
    return reverse("admin:applications_connectionapplication_change", args=[application.pk])


def test_apply_logged_in_status_changes_mailed_and_shown(
    client, settings, org, operator, other_operator, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    with smtp_server(settings) as inbox:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(APPLY, _data(org))
        assert response.status_code == 302, response.content.decode()[:3000]
        application = ConnectionApplication.objects.get()
        assert application.user == user and application.load == Decimal("12.5")
        assert application.token in inbox.link("stroy@example.ru")
        assert "ул. Новая, участок 14" in client.get(reverse("applications:mine")).content.decode()

        client.force_login(other_operator)
        assert client.get(_change(application)).status_code == 404
        client.force_login(operator)
        assert "plan.pdf" in client.get(_change(application)).content.decode()
        comment = "Выданы ТУ № 15/2026, срок действия 3 года."
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_change(application), {"new_status": "conditions", "comment": comment})
        assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == ConnectionApplication.Status.CONDITIONS
    letters = inbox.to("stroy@example.ru")
    assert len(letters) == 2 and comment in letters[-1].get_body(preferencelist=("plain",)).get_content()
    client.logout()
    page = client.get(reverse("applications:connection_status", args=[application.token])).content.decode()
    assert "Выданы технические условия" in page and comment in page and "12,5 м³/сут" in page


def test_refusal_needs_a_comment_and_nothing_changes(client, org, operator):
    client.post(APPLY, _data(org))
    application = ConnectionApplication.objects.get()
    client.force_login(operator)
    response = client.post(_change(application), {"new_status": "refused", "comment": ""})
    assert response.status_code == 200 and "Напишите причину отказа" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ConnectionApplication.Status.NEW and not ConnectionStatusChange.objects.exists()


def test_anonymous_application_is_not_in_anyones_cabinet(client, org):
    assert client.post(APPLY, _data(org)).status_code == 302
    assert ConnectionApplication.objects.get().user is None
    client.force_login(UserFactory())
    assert "ул. Новая" not in client.get(reverse("applications:mine")).content.decode()


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"load": "-5"}, "Нагрузка должна быть больше нуля."),
        ({"load": "abc"}, "Введите число"),
        ({"load": "1" * 30}, "не более 12 цифр"),
        ({"kind": "gas"}, "Выберите корректный вариант"),
        ({"object_address": ""}, "Это поле обязательно"),
    ],
)
def test_bad_input_refused_in_russian(client, org, extra, message):
    response = client.post(APPLY, _data(org, **extra))
    assert response.status_code == 400 and message in response.content.decode()
    assert not ConnectionApplication.objects.exists()
