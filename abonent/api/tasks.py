"""Celery tasks of the API: webhook deliveries, outside the request that raised the event."""

from celery import shared_task

from . import webhooks


@shared_task(name="abonent.api.tasks.deliver")
def deliver(delivery_id: int) -> str:
    return webhooks.attempt(delivery_id)


@shared_task(name="abonent.api.tasks.deliver_due")
def deliver_due() -> int:
    return webhooks.deliver_due()
