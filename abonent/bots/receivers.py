"""Other apps' events that the linked chats hear about (the same moments their e-mails go): each queues a job."""

from abonent.notifications.models import Kind
from abonent.support.models import AppealMessage

from .tasks import notices_start


def receipts_on_publish(sender, *, period, **kwargs) -> None:
    notices_start(kind=Kind.RECEIPT, organisation_id=period.organisation_id, period=period.pk)


def answer_on_reply(sender, instance: AppealMessage, created: bool, **kwargs) -> None:
    if created and instance.kind == AppealMessage.Kind.REPLY:
        notices_start(kind=Kind.APPEAL_ANSWER, organisation_id=instance.appeal.organisation_id, message=instance.pk)
