"""The events webhooks tell organisations about, from the apps' own signals: a reading submitted (any channel,
metering.signals), a payment credited (its "credited" PaymentEvent, written by payments.services.payment_credit),
an appeal created or answered (its rows), a period published (billing.signals). Each only records the delivery;
sending is webhooks' (after the commit, outside the request)."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from abonent.billing.signals import period_published
from abonent.metering.signals import readings_submitted
from abonent.payments.models import Payment, PaymentEvent
from abonent.support.models import Appeal, AppealMessage

from . import tasks, webhooks
from .models import Event


def _enqueue(**event) -> None:
    """Record the event's deliveries; with a broker, queue their first attempt once the transaction commits (a
    rolled-back reading tells no one)."""
    ids = webhooks.enqueue(**event)
    if ids and settings.WEBHOOKS_DELIVER_ON_COMMIT:
        transaction.on_commit(lambda: [tasks.deliver.delay(pk) for pk in ids])


@receiver(readings_submitted, dispatch_uid="api_readings_submitted")
def _readings(sender, readings, organisation, **kwargs):
    # One look-up of the endpoints for the whole save: a flat's readings cost one query, not one per meter.
    endpoints = webhooks.endpoints_for(organisation.pk, Event.READING_SUBMITTED)
    if not endpoints:
        return
    for r in readings:
        _enqueue(
            endpoints=endpoints,
            organisation_id=organisation.pk, event=Event.READING_SUBMITTED, event_id=f"reading:{r.pk}",
            data={"reading": r.pk, "meter": r.meter_id, "period": r.period, "value": r.value,
                  "channel": r.channel, "submitted_at": r.submitted_at},
        )  # fmt: skip


@receiver(post_save, sender=PaymentEvent, dispatch_uid="api_payment_credited")
def _payment(sender, instance, created, **kwargs):
    if not created or instance.status != Payment.Status.CREDITED:
        return
    p = Payment.objects.select_related("account").get(pk=instance.payment_id)
    _enqueue(
        organisation_id=p.organisation_id, event=Event.PAYMENT_CREDITED, event_id=f"payment:{p.pk}:credited",
        data={"payment": p.pk, "account": p.account.number, "amount": p.amount, "paid_on": p.paid_on,
              "channel": p.channel, "external_id": p.external_id},
    )  # fmt: skip


@receiver(post_save, sender=Appeal, dispatch_uid="api_appeal_created")
def _appeal(sender, instance, created, **kwargs):
    if created:
        _enqueue(
            organisation_id=instance.organisation_id, event=Event.APPEAL_CREATED, event_id=f"appeal:{instance.pk}",
            data={"appeal": instance.pk, "account": instance.account.number, "topic": instance.topic,
                  "created_at": instance.created_at},
        )  # fmt: skip


@receiver(post_save, sender=AppealMessage, dispatch_uid="api_appeal_answered")
def _answer(sender, instance, created, **kwargs):
    if created and instance.kind == AppealMessage.Kind.REPLY:
        appeal = instance.appeal
        _enqueue(
            organisation_id=appeal.organisation_id, event=Event.APPEAL_ANSWERED, event_id=f"answer:{instance.pk}",
            data={"appeal": appeal.pk, "message": instance.pk, "answered_at": instance.created_at},
        )  # fmt: skip


@receiver(period_published, dispatch_uid="api_period_published")
def _period(sender, period, **kwargs):
    _enqueue(
        organisation_id=period.organisation_id,
        event=Event.PERIOD_PUBLISHED,
        event_id=f"period:{period.pk}",
        data={"period": period.pk, "month": period.month},
    )
