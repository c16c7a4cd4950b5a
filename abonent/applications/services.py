"""Filing and deciding applications. Files are checked as the appeals' are (support.files: by content, size,
pixels); every letter goes to the e-mail the applicant gave."""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abonent.housing.models import PersonalAccount
from abonent.support.files import check_files
from abonent.users import ratelimit
from abonent.users.services import operator_access_issue

from .emails import send
from .models import CabinetApplication, ConnectionApplication, ConnectionStatusChange, Document

APPLICATIONS_PER_IP = (5, 60 * 60)  # a person files one or two; more from one address is a robot or a flood


def _rate_limited(ip: str) -> None:
    if not ratelimit.hit("application", ip, APPLICATIONS_PER_IP):
        raise ValidationError(_("С вашего адреса подано слишком много заявлений. Попробуйте через час."))


def _attach(files, **owner) -> None:
    for upload, content_type in files:
        document = Document(
            **owner,
            original_name=os.path.basename(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size,
        )
        document.file.save("upload", upload, save=False)
        document.save()


def _is_operator_of(user, organisation_id: int) -> bool:
    return user.is_active and user.is_staff and (user.is_superuser or user.organisation_id == organisation_id)


def _checked(application, files, *, required: bool) -> list:
    """The files with their types, once the application and its files are both right; every error at once."""
    errors = {}
    checked = []
    try:
        checked = check_files(files)
    except ValidationError as exc:
        errors["files"] = exc.messages
    if required and not checked and "files" not in errors:
        errors["files"] = [_("Приложите скан или фото документа: квитанции или договора.")]
    try:
        application.full_clean(exclude=["user"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


def cabinet_application_create(*, ip: str, files=(), **fields) -> CabinetApplication:
    """The application with its scans (at least one: the operator must see the proof), and a letter with the
    status link. ValidationError in Russian for anything wrong, and nothing is saved then."""
    application = CabinetApplication(**fields)
    checked = _checked(application, files, required=True)
    _rate_limited(ip)
    with transaction.atomic():
        application.save()
        _attach(checked, cabinet_application=application)
        send(to=application.email, template="cabinet_received", context={"application": application})
    return application


def _account_for(application: CabinetApplication) -> PersonalAccount:
    account = PersonalAccount.objects.filter(
        organisation_id=application.organisation_id, number=application.account_number
    ).first()
    if account is None:
        raise ValidationError(
            _("Лицевого счёта № %(number)s в организации нет: проверьте номер или откажите с причиной.")
            % {"number": application.account_number}
        )
    return account


@transaction.atomic
def cabinet_application_accept(*, application: CabinetApplication, operator, login: str = "") -> tuple:
    """Issue the login (the account number unless another is given) with a temporary password to change at the
    first login, as on the printed slip, and mail both to the applicant. (user, password)."""
    application = CabinetApplication.objects.select_for_update().get(pk=application.pk)
    if not _is_operator_of(operator, application.organisation_id):
        raise ValidationError(_("Рассматривать заявление может только оператор организации."))
    if application.status != CabinetApplication.Status.NEW:
        raise ValidationError(_("Заявление уже рассмотрено."))
    user, password = operator_access_issue(account=_account_for(application), login=login, actor=operator)
    user.email, user.first_name = application.email, application.full_name[:150]
    user.save(update_fields=["email", "first_name"])
    application.status, application.user = CabinetApplication.Status.ACCEPTED, user
    application.decided_at, application.decided_by = timezone.now(), operator
    application.save(update_fields=["status", "user", "decided_at", "decided_by"])
    context = {"application": application, "login": user.username, "password": password}
    send(to=application.email, template="cabinet_accepted", context=context)
    return user, password


@transaction.atomic
def cabinet_application_refuse(*, application: CabinetApplication, operator, reason: str) -> CabinetApplication:
    application = CabinetApplication.objects.select_for_update().get(pk=application.pk)
    if not _is_operator_of(operator, application.organisation_id):
        raise ValidationError(_("Рассматривать заявление может только оператор организации."))
    if application.status != CabinetApplication.Status.NEW:
        raise ValidationError(_("Заявление уже рассмотрено."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Напишите причину отказа: заявитель получит её в письме.")})
    application.status, application.refusal_reason = CabinetApplication.Status.REFUSED, reason[:2000]
    application.decided_at, application.decided_by = timezone.now(), operator
    application.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
    send(to=application.email, template="cabinet_refused", context={"application": application})
    return application


def connection_application_create(*, ip: str, user=None, files=(), **fields) -> ConnectionApplication:
    """The application (documents optional: the operator may ask for them), and a letter with the status link."""
    application = ConnectionApplication(**fields, user=user if user and user.is_authenticated else None)
    checked = _checked(application, files, required=False)
    _rate_limited(ip)
    with transaction.atomic():
        application.save()
        _attach(checked, connection_application=application)
        send(to=application.email, template="connection_status", context={"application": application, "change": None})
    return application


@transaction.atomic
def connection_status_set(*, application: ConnectionApplication, operator, status: str, comment: str):
    """A new status with the operator's comment, kept in the history and mailed to the applicant."""
    application = ConnectionApplication.objects.select_for_update().get(pk=application.pk)
    if not _is_operator_of(operator, application.organisation_id):
        raise ValidationError(_("Менять статус может только оператор организации."))
    if status not in ConnectionApplication.Status.values:
        raise ValidationError({"new_status": _("Выберите статус из списка.")})
    comment = (comment or "").strip()
    if status == application.status and not comment:
        raise ValidationError({"comment": _("Статус не изменился: напишите комментарий или выберите другой статус.")})
    if status == ConnectionApplication.Status.REFUSED and not comment:
        raise ValidationError({"comment": _("Напишите причину отказа: заявитель получит её в письме.")})
    change = ConnectionStatusChange.objects.create(
        application=application, status=status, comment=comment[:2000], by=operator
    )
    application.status = status
    application.save(update_fields=["status", "updated_at"])
    send(to=application.email, template="connection_status", context={"application": application, "change": change})
    return change
