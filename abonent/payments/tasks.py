"""Celery entry points of the payments jobs; without a broker they run inline and cron calls the commands."""

from celery import shared_task

from abonent.payments import autopay, fiscal, reconciliation


@shared_task(name="abonent.payments.tasks.autopay_run")
def autopay_run() -> dict[str, int]:
    return autopay.autopay_run()


@shared_task(name="abonent.payments.tasks.fiscal_pending")
def fiscal_pending() -> int:
    return fiscal.pending_register()


@shared_task(name="abonent.payments.tasks.reconcile_yesterday")
def reconcile_yesterday() -> int:
    return reconciliation.reconcile_yesterday().pk
