from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import PersonalAccount
from abonent.orgs.models import Organisation


class User(AbstractUser):
    """A person who logs in: a subscriber (linked to accounts) or an operator (belongs to one organisation)."""

    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("организация оператора"),
        help_text=_("Оператор видит и меняет данные только этой организации."),
    )
    phone = models.CharField(_("мобильный телефон"), max_length=12, blank=True)
    must_change_password = models.BooleanField(
        _("сменить пароль при входе"), default=False, help_text=_("Пароль выдан организацией и временный.")
    )
    # 152-ФЗ: when the user agreed to the processing of personal data (the text is on /consent/).
    consent_at = models.DateTimeField(_("согласие на обработку персональных данных"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")

    @property
    def is_operator(self) -> bool:
        return self.is_staff and self.organisation_id is not None


class AccountLink(models.Model):
    """A user's access to a personal account, and how the user proved the right to it."""

    class Method(models.TextChoices):
        OPERATOR = "operator", _("Выдан организацией")
        ACTIVATION_CODE = "code", _("Код активации с квитанции")
        LAST_PAYMENT = "payment", _("Дата и сумма последнего платежа")

    user = models.ForeignKey(User, models.CASCADE, related_name="account_links", verbose_name=_("пользователь"))
    account = models.ForeignKey(
        PersonalAccount, models.CASCADE, related_name="user_links", verbose_name=_("лицевой счёт")
    )
    method = models.CharField(_("способ подтверждения"), max_length=16, choices=Method.choices)
    created_at = models.DateTimeField(_("привязан"), auto_now_add=True)
    receipts_by_email = models.BooleanField(_("квитанции на e-mail"), default=False)

    class Meta:
        verbose_name = _("привязка лицевого счёта")
        verbose_name_plural = _("привязки лицевых счетов")
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="account_link_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.account}"


class LoginEvent(models.Model):
    """One successful login, for "last logins" in the profile."""

    user = models.ForeignKey(User, models.CASCADE, related_name="login_events", verbose_name=_("пользователь"))
    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("вход")
        verbose_name_plural = _("входы")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%d.%m.%Y %H:%M} {self.ip or ''}"


class AuditEvent(models.Model):
    """Who did what to whose access, and when: operators' actions on subscriber access are answerable."""

    class Action(models.TextChoices):
        ACCESS_ISSUED = "access_issued", _("Выдан доступ абоненту")
        REGISTRATION_RESET = "registration_reset", _("Сброс регистрации")
        CODE_ISSUED = "code_issued", _("Выдан новый код активации")
        USER_DELETED = "user_deleted", _("Пользователь удалил себя")

    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кто"))
    action = models.CharField(_("действие"), max_length=32, choices=Action.choices)
    account = models.ForeignKey(
        PersonalAccount,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("лицевой счёт"),
    )
    details = models.TextField(_("подробности"), blank=True)

    class Meta:
        verbose_name = _("запись журнала")
        verbose_name_plural = _("журнал действий с доступом")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.account or ''}"
