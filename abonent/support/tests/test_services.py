import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.notifications.models import Kind
from abonent.notifications.services import notification_set
from abonent.support import services
from abonent.support.models import Appeal, AppealMessage, Attachment, PaidService, PaidServiceRequest
from abonent.testing.factories import PersonalAccountFactory

from .conftest import pdf, png, png_bytes

pytestmark = pytest.mark.django_db


def _appeal(user, account, **kw):
    args = {"topic": "readings", "text": "Счётчик не принимает показания", "contact": "+79170000000", **kw}
    return services.appeal_create(user=user, account_id=account.pk, **args)


def test_appeal_with_photo_and_pdf_is_stored_outside_static(subscriber, account, settings):
    appeal = _appeal(subscriber, account, files=[png(), pdf()])
    assert appeal.organisation == account.organisation
    assert appeal.status == Appeal.Status.NEW
    files = list(appeal.attachments.order_by("id"))
    assert [f.content_type for f in files] == ["image/png", "application/pdf"]
    assert [f.original_name for f in files] == ["photo.png", "act.pdf"]
    path = files[0].file.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
    with open(path, "rb") as stored:
        assert stored.read() == png_bytes()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", "image/png"), "не является"),
        (SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0 broken jpeg", "image/jpeg"), "повреждено"),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), "application/pdf"), "10 МБ"),
    ],
)
def test_bad_files_are_refused_and_nothing_saved(subscriber, account, upload, message):
    with pytest.raises(ValidationError) as exc:
        _appeal(subscriber, account, files=[png(), upload])
    assert message in str(exc.value.message_dict["files"])
    assert not Appeal.objects.exists() and not Attachment.objects.exists()


def test_more_than_five_files_refused(subscriber, account):
    with pytest.raises(ValidationError) as exc:
        _appeal(subscriber, account, files=[png(f"{i}.png") for i in range(6)])
    assert "5 файлов" in str(exc.value)
    assert not Appeal.objects.exists()


def test_empty_text_and_foreign_account_refused(subscriber, account):
    other = PersonalAccountFactory()
    with pytest.raises(ValidationError) as exc:
        services.appeal_create(user=subscriber, account_id=other.pk, topic="other", text="   ", contact="")
    errors = exc.value.message_dict
    assert set(errors) >= {"account", "text", "contact"}
    assert not Appeal.objects.exists()


def test_answer_emails_subscriber_and_note_stays_internal(
    subscriber, account, operator, django_capture_on_commit_callbacks
):
    appeal = _appeal(subscriber, account)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_note(appeal=appeal, operator=operator, text="Проверить пломбу")
        services.appeal_answer(appeal=appeal, operator=operator, text="Показания приняты <b>вручную</b>")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED and appeal.assignee == operator
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["ivanov@example.ru"] and f"№ {appeal.pk}" in letter.subject
    assert "Показания приняты" in letter.body and "/unsubscribe/" in letter.body
    assert letter.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "&lt;b&gt;" in letter.alternatives[0][0]


def test_no_email_when_turned_off(subscriber, account, operator, django_capture_on_commit_callbacks):
    notification_set(user=subscriber, kind=Kind.APPEAL_ANSWER, enabled=False)
    appeal = _appeal(subscriber, account)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(appeal=appeal, operator=operator, text="Ответ")
    assert mail.outbox == []


def test_operator_of_another_org_cannot_answer(subscriber, account, other_operator):
    appeal = _appeal(subscriber, account)
    with pytest.raises(ValidationError):
        services.appeal_answer(appeal=appeal, operator=other_operator, text="Ответ")
    with pytest.raises(ValidationError):
        services.appeal_assign(appeal=appeal, operator=other_operator, assignee=other_operator)
    assert not AppealMessage.objects.filter(kind=AppealMessage.Kind.REPLY).exists()


def test_assign_only_to_colleague(subscriber, account, operator, other_operator):
    appeal = _appeal(subscriber, account)
    with pytest.raises(ValidationError):
        services.appeal_assign(appeal=appeal, operator=operator, assignee=other_operator)
    appeal = services.appeal_assign(appeal=appeal, operator=operator, assignee=operator)
    assert appeal.status == Appeal.Status.IN_PROGRESS


def test_reply_reopens_answered_and_close_stops_replies(subscriber, account, operator):
    appeal = _appeal(subscriber, account)
    services.appeal_answer(appeal=appeal, operator=operator, text="Ответ")
    services.appeal_reply(appeal=appeal, user=subscriber, text="Спасибо, но ещё вопрос")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.IN_PROGRESS
    services.appeal_close(appeal=appeal, user=subscriber)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED and appeal.closed_at
    with pytest.raises(ValidationError):
        services.appeal_reply(appeal=appeal, user=subscriber, text="Ещё")


def test_days_open_in_org_time(subscriber, account, time_machine):
    time_machine.move_to(dt.datetime(2026, 10, 1, 21, 30, tzinfo=dt.UTC))  # 2 October 01:30 in Ulyanovsk
    appeal = _appeal(subscriber, account)
    assert appeal.days_open(today=dt.date(2026, 10, 5)) == 3


def test_paid_request_copies_price_and_checks_date(subscriber, account, stranger):
    service = PaidService.objects.create(
        organisation=account.organisation, name="Замена счётчика", price=Decimal("1500.00")
    )
    today = account.organisation.today()
    with pytest.raises(ValidationError) as exc:
        services.paid_request_create(
            user=subscriber,
            account_id=account.pk,
            service_id=service.pk,
            desired_date=today - dt.timedelta(days=1),
            contact="+7917",
        )
    assert "прошлом" in str(exc.value)
    with pytest.raises(ValidationError):
        services.paid_request_create(
            user=stranger, account_id=account.pk, service_id=service.pk, desired_date=today, contact="+7917"
        )
    paid = services.paid_request_create(
        user=subscriber,
        account_id=account.pk,
        service_id=service.pk,
        desired_date=today,
        contact="+7917",
        comment="с утра",
    )
    service.price = Decimal("2000.00")
    service.save()
    paid.refresh_from_db()
    assert paid.price == Decimal("1500.00") and paid.status == PaidServiceRequest.Status.NEW
    services.paid_request_cancel(request=paid, user=subscriber)
    paid.refresh_from_db()
    assert paid.status == PaidServiceRequest.Status.CANCELLED and paid.closed_at
