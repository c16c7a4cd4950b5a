"""The bots' background job: bots.notices — one event's notices to the linked chats (a period's receipts ready,
a payment credited, an appeal answered), fanned out in chunks of chats like the receipts mailing. Idempotent:
each notice is claimed before it goes (BotNotice), so a rerun or a retry skips the delivered and sends only what
failed."""

from django.conf import settings

from abonent.jobs import registry
from abonent.jobs.services import start_job
from abonent.notifications.models import Kind

from . import notices, notify

NOTICES = "bots.notices"


def notices_start(*, kind: str, organisation_id: int, **event) -> None:
    """Queue the notices of one event: `period=<id>` (receipts), `payment=<id>`, `message=<id>` (an answer)."""
    start_job(kind=NOTICES, organisation=organisation_id, params={"kind": kind, **event})


def _plan(job) -> list[dict]:
    chats = notices.NOTICES[job.params["kind"]].chats(job.organisation_id, job.params)
    size = settings.BOTS_NOTICE_CHUNK
    return [{"chats": chats[n : n + size], "size": len(chats[n : n + size])} for n in range(0, len(chats), size)]


def _chunk(job, params: dict, progress) -> dict:
    kind = job.params["kind"]
    key, texts = notices.NOTICES[kind].texts(job.organisation_id, job.params, params["chats"])
    counts = notify.notices_send(kind=kind, key=key, texts=texts)
    progress.add(params["size"])
    return counts


def _describe(params: dict) -> str:
    kind = params.get("kind")
    return Kind(kind).label if kind in Kind.values else ""


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
