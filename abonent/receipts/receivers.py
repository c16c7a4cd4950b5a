"""Side effects of other apps' events; the work itself is in services."""

from .services import receipts_issue
from .tasks import documents_start, mailing_after_publish


def issue_receipts_on_publish(sender, *, period, **kwargs) -> None:
    receipts_issue(period=period)


def issue_documents_on_published(sender, *, period, **kwargs) -> None:
    # A background job of its own (≈ 10 s of PostgreSQL's CPU per 100 000 receipts): the publish returns at once,
    # and whatever reads a receipt before the job has written it writes that one itself.
    documents_start(period=period)


def mail_receipts_on_publish(sender, *, period, **kwargs) -> None:
    mailing_after_publish(period=period)
