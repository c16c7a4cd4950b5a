import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from abonent.support import services
from abonent.support.models import Appeal, Attachment, PaidService, PaidServiceRequest

from .conftest import png, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(subscriber, account):
    return services.appeal_create(
        user=subscriber,
        account_id=account.pk,
        topic="quality",
        text="<script>alert(1)</script>",
        contact="me",
        files=[png()],
    )


def test_new_appeal_form_with_photo(client, subscriber, account):
    client.force_login(subscriber)
    assert client.get(reverse("support:appeal_new")).status_code == 200
    response = client.post(
        reverse("support:appeal_new"),
        {"account": account.pk, "topic": "payment", "text": "Платёж не дошёл", "contact": "+7917", "files": [png()]},
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response.url == reverse("support:appeal", args=[appeal.pk])
    assert appeal.attachments.count() == 1


def test_new_appeal_errors_in_russian(client, subscriber, account):
    client.force_login(subscriber)
    response = client.post(
        reverse("support:appeal_new"), {"account": 999999, "topic": "payment", "text": " ", "contact": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Лицевой счёт не найден" in body and "Напишите текст обращения" in body
    assert not Appeal.objects.exists()


def test_thread_escapes_html_and_hides_notes(client, subscriber, appeal, operator):
    services.appeal_note(appeal=appeal, operator=operator, text="СЕКРЕТНАЯ заметка")
    services.appeal_answer(appeal=appeal, operator=operator, text="Ответ организации")
    client.force_login(subscriber)
    body = client.get(reverse("support:appeal", args=[appeal.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "Ответ организации" in body and "СЕКРЕТНАЯ" not in body
    assert "Ответ дан" in body


def test_reply_and_close_through_pages(client, subscriber, appeal):
    client.force_login(subscriber)
    response = client.post(reverse("support:appeal", args=[appeal.pk]), {"text": ""})
    assert response.status_code == 400 and "Напишите текст сообщения" in response.content.decode()
    client.post(reverse("support:appeal", args=[appeal.pk]), {"text": "Дополняю"})
    client.post(reverse("support:appeal_close", args=[appeal.pk]))
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED and appeal.messages.count() == 2


def test_attachment_served_to_author_and_own_operator_only(
    client, subscriber, stranger, appeal, operator, other_operator
):
    url = reverse("support:attachment", args=[Attachment.objects.get().pk])
    client.force_login(subscriber)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    client.force_login(operator)
    assert client.get(url).status_code == 200
    for outsider in (stranger, other_operator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_someone_elses_ids_are_404(client, stranger, appeal, subscriber, account):
    service = PaidService.objects.create(
        organisation=account.organisation, name="Вызов сантехника", price=Decimal("500")
    )
    paid = services.paid_request_create(
        user=subscriber,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=account.organisation.today(),
        contact="x",
    )
    client.force_login(stranger)
    for name, args, method in [
        ("support:appeal", [appeal.pk], "get"),
        ("support:appeal", [appeal.pk], "post"),
        ("support:appeal_close", [appeal.pk], "post"),
        ("support:paid_request", [paid.pk], "get"),
        ("support:paid_request_cancel", [paid.pk], "post"),
    ]:
        assert getattr(client, method)(reverse(name, args=args), {"text": "x"}).status_code == 404, name
    assert appeal.messages.count() == 1
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.NEW
    assert b"<script>" not in client.get(reverse("support:appeals")).content


def test_paid_services_catalogue_and_request(client, subscriber, account):
    service = PaidService.objects.create(
        organisation=account.organisation, name="Замена счётчика", price=Decimal("1500.00")
    )
    PaidService.objects.create(organisation=account.organisation, name="Снята с каталога", price=1, is_active=False)
    client.force_login(subscriber)
    body = client.get(reverse("support:paid_services")).content.decode()
    assert "Замена счётчика" in body and "500,00" in body and "Снята с каталога" not in body
    when = account.organisation.today() + dt.timedelta(days=3)
    response = client.post(
        reverse("support:paid_services"),
        {"account": account.pk, "service": service.pk, "desired_date": when.strftime("%d.%m.%Y"), "contact": "+7917"},
    )
    paid = PaidServiceRequest.objects.get()
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Новая" in page and "500,00" in page
    assert client.post(reverse("support:paid_services"), {"account": account.pk}).status_code == 400
    assert PaidServiceRequest.objects.count() == 1 and paid.desired_date == when
