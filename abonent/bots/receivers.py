"""Other apps' events that the linked chats hear about (the same moments their e-mails go): each queues a job."""

from abonent.notifications.models import Kind
from abonent.payments.models import Payment, PaymentEvent
from abonent.support.models import AppealMessage

from .tasks import notices_start


def receipts_on_publish(sender, *, period, **kwargs) -> None:
    notices_start(kind=Kind.RECEIPT, organisation_id=period.organisation_id, period=period.pk)


def answer_on_reply(sender, instance: AppealMessage, created: bool, **kwargs) -> None:
    if created and instance.kind == AppealMessage.Kind.REPLY:
        notices_start(kind=Kind.APPEAL_ANSWER, organisation_id=instance.appeal.organisation_id, message=instance.pk)


def payment_on_credit(sender, instance: PaymentEvent, created: bool, **kwargs) -> None:
    # payments.services.payment_credit writes the "credited" event once, in the transaction that credits it.
    if created and instance.status == Payment.Status.CREDITED:
        organisation_id = Payment.objects.values_list("organisation_id", flat=True).get(pk=instance.payment_id)
        notices_start(kind=Kind.PAYMENT, organisation_id=organisation_id, payment=instance.payment_id)


def outage_on_publish(sender, *, outage, **kwargs) -> None:
    notices_start(kind=Kind.OUTAGE, organisation_id=outage.organisation_id, outage=outage.pk)
