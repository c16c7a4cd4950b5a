"""Appeals and paid-service requests: every change is atomic, checks who acts, and e-mails on commit."""

import datetime as dt
import os
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from abonent.lib.inputs import REPLACEMENT, clean_text, latest_future_date, parse_id, refuse_undecodable
from abonent.notifications.emails import send_optional
from abonent.notifications.models import Kind as NotificationKind
from abonent.users.access import linked_account

from . import access, org_letters
from .files import check_files
from .models import Appeal, AppealMessage, Attachment, PaidService, PaidServiceRequest
from .reply_address import reply_address

MAX_TEXT = 5000
CONTACT_MAX = Appeal._meta.get_field("contact").max_length
# A paid service is planned for the coming months, not for 9999: a year ahead at most.
DESIRED_DATE_YEARS = 1
NOT_LINKED = _lazy("Лицевой счёт не найден среди подключённых к вашему кабинету.")


def _clean_text(text: str | None, *, field: str = "text", what: str | None = None) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: what or _("Напишите текст сообщения.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Текст длиннее %(n)s знаков.") % {"n": MAX_TEXT}})
    refuse_undecodable(text, field=field)
    return text


def _clean_contact(contact: str | None, errors: dict, what: str) -> str:
    """The contact as its column allows (the service is called without the form too: the form's max_length is
    not a check of the service)."""
    try:
        contact = clean_text(contact, CONTACT_MAX, field="contact")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return ""
    if not contact:
        errors["contact"] = [what]
    return contact


def _attach(appeal: Appeal, message: AppealMessage, checked) -> None:
    for upload, content_type in checked:
        attachment = Attachment(
            appeal=appeal,
            message=message,
            original_name=os.path.basename(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()


def appeal_create(*, user, account_id, topic: str, text: str, contact: str, files: Iterable = ()) -> Appeal:
    """A subscriber writes to the organisation of one of their accounts; nothing is saved if anything is wrong."""
    errors = {}
    account = linked_account(user, account_id)
    if account is None:
        errors["account"] = [NOT_LINKED]
    if topic not in Appeal.Topic.values:
        errors["topic"] = [_("Выберите тему обращения.")]
    try:
        text = _clean_text(text, what=_("Напишите текст обращения."))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    contact = _clean_contact(contact, errors, _("Укажите телефон или e-mail для ответа."))
    try:
        checked = check_files(files)
    except ValidationError as exc:
        errors["files"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appeal = Appeal.objects.create(
            organisation=account.organisation, account=account, author=user, topic=topic, text=text, contact=contact
        )
        message = AppealMessage.objects.create(
            appeal=appeal, author=user, kind=AppealMessage.Kind.SUBSCRIBER, text=text, created_at=appeal.created_at
        )
        _attach(appeal, message, checked)
    return appeal


def appeal_reply(*, appeal: Appeal, user, text: str, files: Iterable = ()) -> AppealMessage:
    """The subscriber adds to the thread; an answered appeal goes back to work."""
    if not access.is_author(user, appeal):
        raise ValidationError(_("Это не ваше обращение."))
    text = _clean_text(text)
    try:
        checked = check_files(files)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from exc
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.is_closed:
            raise ValidationError(_("Обращение закрыто. Напишите новое."))
        message = AppealMessage.objects.create(
            appeal=appeal, author=user, kind=AppealMessage.Kind.SUBSCRIBER, text=text
        )
        _attach(appeal, message, checked)
        if appeal.status == Appeal.Status.ANSWERED:
            appeal.status = Appeal.Status.IN_PROGRESS
            appeal.save(update_fields=["status"])
    return message


def appeal_close(*, appeal: Appeal, user) -> Appeal:
    """The subscriber (or an operator of the organisation) closes the appeal; closing twice changes nothing."""
    if not (access.is_author(user, appeal) or access.is_operator(user, appeal)):
        raise ValidationError(_("Закрыть обращение может только его автор или организация."))
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if not appeal.is_closed:
            appeal.status = Appeal.Status.CLOSED
            appeal.closed_at = timezone.now()
            appeal.save(update_fields=["status", "closed_at"])
    return appeal


def appeal_answer(*, appeal: Appeal, operator, text: str) -> AppealMessage:
    """An operator's reply, shown to the subscriber; the subscriber gets an e-mail unless turned off."""
    if not access.is_operator(operator, appeal):
        raise ValidationError(_("Отвечать может только оператор организации."))
    text = _clean_text(text, field="reply", what=_("Напишите текст ответа."))
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("author", "organisation").get(pk=appeal.pk)
        if appeal.is_closed:
            raise ValidationError({"reply": _("Обращение закрыто абонентом; ответ не отправлен.")})
        message = AppealMessage.objects.create(appeal=appeal, author=operator, kind=AppealMessage.Kind.REPLY, text=text)
        appeal.status = Appeal.Status.ANSWERED
        appeal.answered_at = message.created_at
        if appeal.assignee_id is None:
            appeal.assignee = operator
        appeal.save(update_fields=["status", "answered_at", "assignee"])
        _mail_author(
            appeal,
            kind=NotificationKind.APPEAL_ANSWER,
            template="support/email/answer",
            context={"appeal": appeal, "message": message, "organisation": appeal.organisation},
        )
    return message


def _mail_author(item, *, kind: str, template: str, context: dict) -> None:
    """E-mail the author of an appeal or request (unless they turned `kind` off) at the contact they gave for
    the answer, when it is an e-mail address (reply_address)."""
    to = reply_address(contact=item.contact, user=item.author)
    if to:
        send_optional(user=item.author, kind=kind, template=template, context=context, to=to)


def appeal_set_status(*, appeal: Appeal, operator, status: str) -> Appeal:
    """An operator moves the appeal (e.g. back to work, or reopens a closed one)."""
    if not access.is_operator(operator, appeal):
        raise ValidationError(_("Менять статус может только оператор организации."))
    if status not in Appeal.Status.values:
        raise ValidationError({"status": _("Неизвестный статус.")})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        appeal.status = status
        appeal.closed_at = (appeal.closed_at or timezone.now()) if status == Appeal.Status.CLOSED else None
        appeal.save(update_fields=["status", "closed_at"])
    return appeal


def appeal_note(*, appeal: Appeal, operator, text: str) -> AppealMessage:
    """An internal note: operators see it in the back office; the subscriber never does."""
    if not access.is_operator(operator, appeal):
        raise ValidationError(_("Заметки пишут только операторы организации."))
    text = _clean_text(text, field="note", what=_("Напишите текст заметки."))
    return AppealMessage.objects.create(appeal=appeal, author=operator, kind=AppealMessage.Kind.NOTE, text=text)


def appeal_assign(*, appeal: Appeal, operator, assignee) -> Appeal:
    """Give the appeal to a colleague of the same organisation; a new appeal is then in work."""
    if not access.is_operator(operator, appeal):
        raise ValidationError(_("Назначать может только оператор организации."))
    if assignee is not None and not access.may_be_assigned(assignee, appeal):
        raise ValidationError({"assignee": _("Исполнитель должен быть сотрудником этой организации.")})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        appeal.assignee = assignee
        if assignee is not None and appeal.status == Appeal.Status.NEW:
            appeal.status = Appeal.Status.IN_PROGRESS
        appeal.save(update_fields=["assignee", "status"])
    return appeal


# --- paid services ---


def _desired_date_errors(desired_date: dt.date, today: dt.date) -> dict:
    if desired_date < today:
        return {"desired_date": [_("Желаемая дата не может быть в прошлом.")]}
    latest = latest_future_date(today, years=DESIRED_DATE_YEARS)
    if desired_date > latest:
        return {"desired_date": [_("Желаемая дата — не позже %(date)s.") % {"date": latest.strftime("%d.%m.%Y")}]}
    return {}


def paid_request_create(
    *, user, account_id, service_id, desired_date: dt.date | None, comment: str = "", contact: str
) -> PaidServiceRequest:
    errors = {}
    account = linked_account(user, account_id)
    if account is None:
        errors["account"] = [NOT_LINKED]
    service = None
    if account is not None:
        service = PaidService.objects.filter(
            pk=parse_id(service_id),
            organisation_id=account.organisation_id,
            is_active=True,
        ).first()
        if service is None:
            errors["service"] = [_("Выберите услугу из каталога организации этого лицевого счёта.")]
    if desired_date is None:
        errors["desired_date"] = [_("Укажите желаемую дату.")]
    elif account is not None:
        errors.update(_desired_date_errors(desired_date, account.organisation.today()))
    contact = _clean_contact(contact, errors, _("Укажите телефон или e-mail для связи."))
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        errors["comment"] = [_("Комментарий длиннее %(n)s знаков.") % {"n": MAX_TEXT}]
    elif REPLACEMENT in comment:
        errors["comment"] = [_("Текст содержит нечитаемые символы (не в кодировке UTF-8). Введите его заново.")]
    if errors:
        raise ValidationError(errors)
    return PaidServiceRequest.objects.create(
        organisation=account.organisation,
        account=account,
        author=user,
        service=service,
        price=service.price,
        desired_date=desired_date,
        comment=comment,
        contact=contact,
    )


def paid_request_cancel(*, request: PaidServiceRequest, user) -> PaidServiceRequest:
    """The subscriber withdraws a request the organisation has not yet accepted."""
    if not access.is_author(user, request):
        raise ValidationError(_("Это не ваша заявка."))
    with transaction.atomic():
        request = PaidServiceRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != PaidServiceRequest.Status.NEW:
            raise ValidationError(_("Заявку уже приняли в работу; отменить её можно, позвонив в организацию."))
        request.status = PaidServiceRequest.Status.CANCELLED
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at"])
        # A change of status like the operator's: the subscriber gets the same letter (their record of it), and the
        # organisation, which may have planned the visit already, is told at its e-mail.
        _mail_author(
            request,
            kind=NotificationKind.PAID_REQUEST,
            template="support/email/paid_request_status",
            context={"request": request, "organisation": request.organisation, "by_subscriber": True},
        )
        org_letters.request_cancelled(request)
    return request


def paid_request_update(*, request: PaidServiceRequest, operator, **changes) -> PaidServiceRequest:
    """An operator changes status, price, date, answer or assignee; a finished request records when."""
    if not access.is_operator(operator, request):
        raise ValidationError(_("Менять заявку может только оператор организации."))
    allowed = {"status", "price", "scheduled_date", "operator_comment", "assignee"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    assignee = changes.get("assignee")
    if assignee is not None and not access.may_be_assigned(assignee, request):
        raise ValidationError({"assignee": _("Исполнитель должен быть сотрудником этой организации.")})
    with transaction.atomic():
        request = (
            PaidServiceRequest.objects.select_for_update()
            .select_related("author", "organisation", "account", "service")
            .get(pk=request.pk)
        )
        was = request.status
        for name, value in changes.items():
            setattr(request, name, value)
        finished = request.status in (PaidServiceRequest.Status.DONE, PaidServiceRequest.Status.CANCELLED)
        request.closed_at = (request.closed_at or timezone.now()) if finished else None
        request.full_clean(exclude=["organisation", "account", "author", "service"])
        request.save()
        if request.status != was:
            # Only a change of status is news to the subscriber: a corrected price or comment alone is on the page.
            _mail_author(
                request,
                kind=NotificationKind.PAID_REQUEST,
                template="support/email/paid_request_status",
                context={"request": request, "organisation": request.organisation},
            )
    return request
