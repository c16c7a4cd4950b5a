"""The bots' background job: bots.notices — one event's notices to the linked chats (a period's receipts ready,
an appeal answered), fanned out in chunks of chats like the receipts mailing. Idempotent: each notice is claimed
before it goes (BotNotice), so a rerun or a retry skips the delivered and sends only what failed."""

from django.conf import settings

from abonent.billing.models import BillingPeriod
from abonent.jobs import registry
from abonent.jobs.services import start_job
from abonent.notifications.models import Kind

from . import notices, notify

NOTICES = "bots.notices"


def notices_start(*, kind: str, organisation_id: int, **event) -> None:
    """Queue the notices of one event: `period=<id>` (receipts) or `message=<id>` (an appeal's answer)."""
    start_job(kind=NOTICES, organisation=organisation_id, params={"kind": kind, **event})


def _period(job) -> BillingPeriod:
    return BillingPeriod.objects.get(pk=job.params["period"], organisation_id=job.organisation_id)


def _recipients(job) -> list[int]:
    if job.params["kind"] == Kind.RECEIPT:
        return notices.receipt_chats(_period(job))
    return notices.answer_chats(notices.answer_message(job.params["message"]))


def _plan(job) -> list[dict]:
    chats, size = _recipients(job), settings.BOTS_NOTICE_CHUNK
    return [{"chats": chats[n : n + size], "size": len(chats[n : n + size])} for n in range(0, len(chats), size)]


def _chunk(job, params: dict, progress) -> dict:
    if job.params["kind"] == Kind.RECEIPT:
        period = _period(job)
        key, texts = f"period:{period.pk}", notices.receipt_texts(period, params["chats"])
    else:
        message = notices.answer_message(job.params["message"])
        key, texts = f"answer:{message.pk}", dict.fromkeys(params["chats"], notices.answer_text(message))
    counts = notify.notices_send(kind=job.params["kind"], key=key, texts=texts)
    progress.add(params["size"])
    return counts


def _describe(params: dict) -> str:
    return {Kind.RECEIPT: "квитанция готова", Kind.APPEAL_ANSWER: "ответ на обращение"}.get(params.get("kind"), "")


registry.register(
    registry.Kind(
        name=NOTICES,
        label="Уведомления в мессенджеры",
        plan=_plan,
        chunk=_chunk,
        user_errors=(notify.NoticeError,),
        describe=_describe,
    )
)
