"""Side effects of other apps' events; the work itself is in services."""

from .services import payment_due_send


def mail_payment_due_on_publish(sender, *, period, **kwargs) -> None:
    payment_due_send(period=period)
