import json
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.billing.models import BillingPeriod
from abonent.housing.models import PersonalAccount


class ReceiptDelivery(models.Model):
    """One receipt e-mail to one user for one account and period: claimed before sending, so a rerun of the mailing
    after a crash never sends it twice (a row left "claimed" may or may not have gone out and is not resent)."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Отправляется")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Ошибка отправки")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("пользователь"))
    account = models.ForeignKey(
        "housing.PersonalAccount", models.CASCADE, related_name="+", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey("billing.BillingPeriod", models.CASCADE, related_name="+", verbose_name=_("период"))
    email = models.EmailField(_("адрес"))
    status = models.CharField(_("состояние"), max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(_("взято в работу"), default=timezone.now)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("отправка квитанции")
        verbose_name_plural = _("отправки квитанций")
        constraints = [
            models.UniqueConstraint(fields=["user", "account", "period"], name="receipt_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period} → {self.email}"


class PeriodReceipts(BillingPeriod):
    """The back office's view of a period's receipts (export for the printing house)."""

    class Meta:
        proxy = True
        verbose_name = _("квитанции периода")
        verbose_name_plural = _("квитанции периодов")


class AccountReceipts(PersonalAccount):
    """The back office's view of an account's receipts (any published period as PDF)."""

    class Meta:
        proxy = True
        verbose_name = _("квитанции лицевого счёта")
        verbose_name_plural = _("квитанции лицевых счетов")


class DecimalDecoder(json.JSONDecoder):
    """Numbers with a fraction read as Decimal: money and volumes stay exact."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)


class IssuedPeriod(models.Model):
    """What every receipt of a published period shares, as of the day it was published: the payee's requisites
    (the organisation's row: name, ИНН, КПП, bank, БИК, accounts, address…), its services' and their suppliers'
    rows and the due date.
    Written once at publish with the period's IssuedReceipt rows (issued.py)."""

    period = models.OneToOneField("billing.BillingPeriod", models.PROTECT, related_name="+", verbose_name=_("период"))
    payee = models.JSONField(_("реквизиты получателя"), encoder=DjangoJSONEncoder, decoder=DecimalDecoder)
    services = models.JSONField(_("услуги"), encoder=DjangoJSONEncoder, decoder=DecimalDecoder)
    due_date = models.DateField(_("оплатить до"), null=True, blank=True)
    # The нормативы in force (rows) and the houses' common-use figures ([building, resource, individual volume,
    # house meter, its reading]) of the month: common_use.py. Empty for periods issued before they were stored.
    norms = models.JSONField(_("нормативы"), encoder=DjangoJSONEncoder, decoder=DecimalDecoder, default=list)
    houses = models.JSONField(_("общедомовые данные"), encoder=DjangoJSONEncoder, decoder=DecimalDecoder, default=list)
    # The rows of the services' suppliers (orgs.Supplier: name, ИНН, КПП, bank, accounts): a section paid to a
    # supplier directly shows them as issued. Empty for periods issued before they were stored (read live then).
    suppliers = models.JSONField(_("поставщики"), encoder=DjangoJSONEncoder, decoder=DecimalDecoder, default=list)
    created_at = models.DateTimeField(_("выпущены"), default=timezone.now)

    class Meta:
        verbose_name = _("выпуск квитанций периода")
        verbose_name_plural = _("выпуски квитанций")

    def __str__(self) -> str:
        return str(self.period)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Выпущенные квитанции не меняются.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Выпущенные квитанции не удаляются.")


class IssuedReceipt(models.Model):
    """A receipt as issued: written for every account when its period is published, never changed after.

    `data` holds the rows the ЕПД is made of as they were (the account, premises and building, the balance, the
    charge lines with their meter, recalculations, penalty, last payment day, last year's charges), the period's
    IssuedPeriod the payee's requisites and the services of that day: a reprint, the print page and the e-mail are
    assembled from them, so they equal what was mailed even if the bank details change (issued.py).
    """

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="+", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey("billing.BillingPeriod", models.PROTECT, related_name="+", verbose_name=_("период"))
    number = models.CharField(_("номер платёжного документа"), max_length=48)
    data = models.JSONField(_("содержание"), encoder=DjangoJSONEncoder, decoder=DecimalDecoder)
    created_at = models.DateTimeField(_("выпущена"), default=timezone.now)
    # The only column written after issue: ГИС ЖКХ assigns it when the document is placed there, and
    # abonent.exchange.gis_documents loads it from ГИС ЖКХ's answer with an update (save() refuses a change).
    gis_document_id = models.CharField(
        _("идентификатор платёжного документа в ГИС ЖКХ"), max_length=40, blank=True, db_default=""
    )

    class Meta:
        verbose_name = _("выпущенная квитанция")
        verbose_name_plural = _("выпущенные квитанции")
        ordering = ["period_id", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "account"], name="issued_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:  # written once, at publish (issued.py); a correction is a recalculation
            raise ValueError("Выпущенная квитанция не меняется.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Выпущенная квитанция не удаляется.")
