"""Side effects of other apps' events; the work itself is in services."""

from .services import receipts_issue, receipts_issue_documents
from .tasks import mailing_after_publish


def issue_receipts_on_publish(sender, *, period, **kwargs) -> None:
    receipts_issue(period=period)


def issue_documents_on_published(sender, *, period, **kwargs) -> None:
    receipts_issue_documents(period=period)


def mail_receipts_on_publish(sender, *, period, **kwargs) -> None:
    mailing_after_publish(period=period)
