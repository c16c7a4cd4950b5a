"""Side effects of other apps' events; the work itself is in services."""

from .tasks import due_mail_start


def mail_payment_due_on_publish(sender, *, period, **kwargs) -> None:
    due_mail_start(period=period)  # a job: the letters go from a worker, not the publishing process
