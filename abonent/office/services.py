"""The office's writes. Each is one transaction, checks that the operator is of the object's organisation (the
views have checked the role), calls the owning app's service for the work itself, and logs who did what."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abonent.metering.models import Reading
from abonent.metering.submit import reading_reject
from abonent.news.services import news_save, news_set_pinned, news_set_published
from abonent.orgs.services import operators_group
from abonent.support.services import appeal_answer, paid_request_update
from abonent.users.models import User

from .models import OfficeAction, OfficeRole, ReadingReview, Role

Kind = OfficeAction.Kind


def log(*, organisation, actor, kind: str, account=None, subject=None, details: str = "") -> OfficeAction:
    return OfficeAction.objects.create(
        organisation=organisation, actor=actor, kind=kind, account=account, subject=subject, details=details
    )


def _account_of(reading: Reading):
    premises = reading.meter.premises
    return premises.accounts.filter(closed_on__isnull=True).first() if premises else None


def _same_organisation(operator, organisation_id: int) -> None:
    if operator.organisation_id != organisation_id:
        raise ValidationError("Это объект другой организации.")


# --- readings ---


def reading_keep(*, reading: Reading, operator, organisation) -> ReadingReview:
    """The reading was looked at and stays as sent: it leaves the queue; the close accepts it as any other."""
    _same_organisation(operator, organisation.pk)
    with transaction.atomic():
        review, created = ReadingReview.objects.get_or_create(reading=reading, defaults={"reviewed_by": operator})
        if created:
            log(organisation=organisation, actor=operator, kind=Kind.READING_ACCEPTED, account=_account_of(reading),
                details=f"Прибор {reading.meter.serial_number}: {reading.value}")  # fmt: skip
    return review


def reading_refuse(*, reading: Reading, operator, organisation, reason: str) -> Reading:
    """metering's refusal with the reason (the subscriber sees it), logged."""
    _same_organisation(operator, organisation.pk)
    with transaction.atomic():
        refused = reading_reject(reading=reading, reason=reason, actor=operator)
        log(organisation=organisation, actor=operator, kind=Kind.READING_REJECTED, account=_account_of(reading),
            details=f"Прибор {reading.meter.serial_number}: {reading.value}. Причина: {refused.reject_reason}")  # fmt: skip
    return refused


def reading_entered(*, reading: Reading, operator, organisation) -> None:
    log(organisation=organisation, actor=operator, kind=Kind.READING_ENTERED, account=_account_of(reading),
        details=f"Прибор {reading.meter.serial_number}: {reading.value}")  # fmt: skip


# --- appeals ---


def appeal_reply(*, appeal, operator, text: str):
    with transaction.atomic():
        message = appeal_answer(appeal=appeal, operator=operator, text=text)
        log(organisation=appeal.organisation, actor=operator, kind=Kind.APPEAL_ANSWERED, account=appeal.account,
            details=f"Обращение № {appeal.pk}")  # fmt: skip
    return message


def paid_request_change(*, item, operator, status: str, comment: str):
    """support's update (the subscriber is told of a new status), logged."""
    with transaction.atomic():
        changed = paid_request_update(request=item, operator=operator, status=status, operator_comment=comment)
        log(organisation=item.organisation, actor=operator, kind=Kind.REQUEST_CHANGED, account=item.account,
            details=f"Заявка № {item.pk}: {changed.get_status_display()}")  # fmt: skip
    return changed


# --- operators ---


def operator_add(*, organisation, admin, username: str, email: str, full_name: str, role: str, password: str) -> User:
    """A new operator of the organisation with the register's permissions and an office role; the password is
    temporary (changed at the first login)."""
    _same_organisation(admin, organisation.pk)
    if role not in Role.values:
        raise ValidationError({"role": "Выберите роль."})
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "Укажите логин."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "Такой логин уже есть."})
    first, _, last = (full_name or "").strip().partition(" ")
    with transaction.atomic():
        user = User(username=username, email=(email or "").strip(), first_name=first, last_name=last,
                    is_staff=True, organisation=organisation, must_change_password=True)  # fmt: skip
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.add(operators_group())
        OfficeRole.objects.create(user=user, role=role, set_by=admin)
        log(organisation=organisation, actor=admin, kind=Kind.OPERATOR_ADDED, subject=user,
            details=f"{username}: {Role(role).label}")  # fmt: skip
    return user


def operator_set_role(*, organisation, admin, operator: User, role: str) -> OfficeRole:
    _same_organisation(admin, organisation.pk)
    _same_organisation(operator, organisation.pk)
    if role not in Role.values:
        raise ValidationError({"role": "Выберите роль."})
    if operator.pk == admin.pk and role != Role.ADMINISTRATOR:
        raise ValidationError({"role": "Свою роль администратора снять нельзя: это сделает другой администратор."})
    with transaction.atomic():
        record, _ = OfficeRole.objects.update_or_create(
            user=operator, defaults={"role": role, "set_by": admin, "set_at": timezone.now()}
        )
        log(organisation=organisation, actor=admin, kind=Kind.ROLE_SET, subject=operator, details=Role(role).label)
    return record


def operator_deactivate(*, organisation, admin, operator: User) -> User:
    """The operator can no longer log in; their actions stay in the log under their name."""
    _same_organisation(admin, organisation.pk)
    _same_organisation(operator, organisation.pk)
    if operator.pk == admin.pk:
        raise ValidationError("Себя отключить нельзя.")
    with transaction.atomic():
        operator.is_active = False
        operator.save(update_fields=["is_active"])
        log(organisation=organisation, actor=admin, kind=Kind.OPERATOR_DEACTIVATED, subject=operator)
    return operator


# --- news ---


def news_write(*, organisation, operator, form):
    """news' own save (a new item is a draft), logged."""
    _same_organisation(operator, organisation.pk)
    with transaction.atomic():
        item = news_save(organisation=organisation, form=form)
        log(organisation=organisation, actor=operator, kind=Kind.NEWS_SAVED, details=f"«{item.title}»")
    return item


NEWS_STATES = {
    "publish": (Kind.NEWS_PUBLISHED, {"published": True}),
    "unpublish": (Kind.NEWS_UNPUBLISHED, {"published": False}),
    "pin": (Kind.NEWS_PINNED, {"pinned": True}),
    "unpin": (Kind.NEWS_PINNED, {"pinned": False}),
}


def news_change(*, organisation, operator, item, action: str):
    """Publish, take down, pin or unpin an item of the organisation, logged; an unknown action is refused."""
    _same_organisation(operator, organisation.pk)
    if item.organisation_id != organisation.pk:
        raise ValidationError("Это новость другой организации.")
    if action not in NEWS_STATES:
        raise ValidationError("Неизвестное действие с новостью.")
    kind, change = NEWS_STATES[action]
    with transaction.atomic():
        if "published" in change:
            news_set_published(item=item, **change)
        else:
            news_set_pinned(item=item, **change)
        pinned = "" if "published" in change else (": закреплена" if change["pinned"] else ": откреплена")
        log(organisation=organisation, actor=operator, kind=kind, details=f"«{item.title}»{pinned}")
    return item
