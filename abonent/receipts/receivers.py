"""Side effects of other apps' events; the work itself is in services."""

from .services import receipts_send_after_publish


def mail_receipts_on_publish(sender, *, period, **kwargs) -> None:
    receipts_send_after_publish(period=period)
