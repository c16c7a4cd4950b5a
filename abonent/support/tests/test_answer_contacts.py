"""The organisation's answer goes to the "Контакт для ответа" the subscriber gave when it is an e-mail (and stays in
the cabinet); a paid request's change of status is mailed, unless turned off. Through a real SMTP server."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from abonent.lib.numbers import money
from abonent.notifications.models import Kind
from abonent.notifications.services import notification_set
from abonent.support import services
from abonent.support.models import PaidService, PaidServiceRequest
from abonent.testing.smtp import smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings):
    with smtp_server(settings) as handler:
        yield handler


def _appeal(user, account, contact):
    return services.appeal_create(
        user=user, account_id=account.pk, topic="readings", text="Счётчик не принимает показания", contact=contact
    )


def test_answer_goes_to_the_email_given_as_contact(
    client, subscriber, account, operator, inbox, django_capture_on_commit_callbacks
):
    appeal = _appeal(subscriber, account, " Petrova.Dacha@example.org ")
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(appeal=appeal, operator=operator, text="Показания приняты вручную")
    assert [m["To"] for m in inbox.messages] == ["Petrova.Dacha@example.org"]
    assert "Показания приняты вручную" in inbox.messages[0].get_body(("plain",)).get_content()
    client.force_login(subscriber)  # and it is in the cabinet too
    assert "Показания приняты вручную" in client.get(f"/cabinet/appeals/{appeal.pk}/").content.decode()


@pytest.mark.parametrize("contact", ["+7 917 000-00-00", "звонить после 18:00", "ivanov@"])
def test_answer_to_a_phone_contact_goes_to_the_cabinet_email(
    subscriber, account, operator, inbox, django_capture_on_commit_callbacks, contact
):
    appeal = _appeal(subscriber, account, contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(appeal=appeal, operator=operator, text="Ответ")
    assert [m["To"] for m in inbox.messages] == ["ivanov@example.ru"]


def test_answer_to_a_contact_respects_the_settings(
    subscriber, account, operator, inbox, django_capture_on_commit_callbacks
):
    notification_set(user=subscriber, kind=Kind.APPEAL_ANSWER, enabled=False)
    appeal = _appeal(subscriber, account, "petrova@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(appeal=appeal, operator=operator, text="Ответ")
    assert inbox.messages == []


@pytest.fixture
def paid(subscriber, account):
    service = PaidService.objects.create(
        organisation=account.organisation, name="Замена счётчика", price=Decimal("1500.00")
    )
    return services.paid_request_create(
        user=subscriber,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=account.organisation.today(),
        contact="+7 917 000-00-00",
    )


def test_status_change_of_a_paid_request_is_mailed(paid, operator, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.paid_request_update(
            request=paid,
            operator=operator,
            status=PaidServiceRequest.Status.ACCEPTED,
            scheduled_date=paid.desired_date + dt.timedelta(days=2),
            operator_comment="Мастер позвонит накануне.",
        )
    assert len(inbox.messages) == 1
    letter = inbox.messages[0]
    assert letter["To"] == "ivanov@example.ru" and f"№ {paid.pk}" in letter["Subject"]
    assert "принята" in letter["Subject"]
    body = letter.get_body(("plain",)).get_content()
    assert "Замена счётчика" in body and "Принята" in body and "Мастер позвонит накануне." in body
    assert f"/cabinet/paid-services/requests/{paid.pk}/" in body and "/unsubscribe/" in body
    # a change that is not of status tells nothing new
    with django_capture_on_commit_callbacks(execute=True):
        services.paid_request_update(request=paid, operator=operator, operator_comment="Уточнение")
    assert len(inbox.messages) == 1


def test_paid_request_status_mail_respects_the_settings(
    paid, subscriber, operator, inbox, django_capture_on_commit_callbacks
):
    notification_set(user=subscriber, kind=Kind.PAID_REQUEST, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.paid_request_update(request=paid, operator=operator, status=PaidServiceRequest.Status.DONE)
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.DONE and inbox.messages == []


def test_bad_status_changes_nothing_and_mails_nothing(paid, operator, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.paid_request_update(request=paid, operator=operator, status="burnt")
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.NEW and inbox.messages == []


def test_subscriber_cancelling_a_request_mails_them_and_the_organisation(
    client, paid, subscriber, account, inbox, django_capture_on_commit_callbacks
):
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cabinet/paid-services/requests/{paid.pk}/cancel/")
    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.CANCELLED
    letters = {m["To"]: m for m in inbox.messages}
    assert set(letters) == {"ivanov@example.ru", account.organisation.email}
    mine = letters["ivanov@example.ru"]
    assert f"№ {paid.pk}" in mine["Subject"] and "отменена" in mine["Subject"]
    body = mine.get_body(("plain",)).get_content()
    assert "Вы отменили заявку" in body and "Отменена" in body and "/unsubscribe/" in body
    assert "организация получила уведомление" in body
    theirs = letters[account.organisation.email]
    assert f"Абонент отменил заявку № {paid.pk}" in theirs["Subject"] and "Замена счётчика" in theirs["Subject"]
    text = theirs.get_body(("plain",)).get_content()
    assert account.number in text and "+7 917 000-00-00" in text and money(paid.price) in text
    assert f"/admin/support/paidservicerequest/{paid.pk}/change/" in text


def test_cancel_mail_to_the_subscriber_respects_the_settings_and_an_organisation_without_email(
    client, paid, subscriber, account, inbox, django_capture_on_commit_callbacks
):
    notification_set(user=subscriber, kind=Kind.PAID_REQUEST, enabled=False)
    account.organisation.email = ""
    account.organisation.save(update_fields=["email"])
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cabinet/paid-services/requests/{paid.pk}/cancel/")
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.CANCELLED and inbox.messages == []


def test_cancel_refused_once_accepted_mails_nothing(
    client, paid, subscriber, operator, inbox, django_capture_on_commit_callbacks
):
    services.paid_request_update(request=paid, operator=operator, status=PaidServiceRequest.Status.ACCEPTED)
    inbox.messages.clear()
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cabinet/paid-services/requests/{paid.pk}/cancel/")
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.ACCEPTED and inbox.messages == []
