"""Payments' background jobs: a bank registry uploaded in the back office, and the payment-due mailing after a
period is published. The registry's import is one transaction and skips lines imported before, so a job killed
mid-way and run again credits every line once. Also the Celery entry points of auto-pay, the fiscal data still
awaited and the daily reconciliation (scheduled by beat; without a broker cron calls their commands)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from abonent.billing.models import BillingPeriod
from abonent.jobs import exports, registry
from abonent.jobs.services import start_job

from . import autopay, fiscal, reconciliation, services
from .exporting import payments_table
from .models import Payment
from .registry import RegistryError, registry_import
from .registry_custom import layout_named

REGISTRY, DUE_MAIL, RECONCILE = "payments.registry", "payments.due_mail", "payments.reconcile"
EXPORT = "payments.export"


def registry_start(*, organisation, data: bytes, file_name: str, layout: str, actor=None):
    params = {"layout": layout, "file": file_name[:255]}
    return start_job(
        kind=REGISTRY, organisation=organisation, params=params, actor=actor, upload=data, upload_name=file_name
    )


def _registry_run(job, progress) -> dict:
    progress.phase("разбор файла и зачисление")
    result = registry_import(
        organisation=job.organisation,
        data=bytes(job.upload),
        file_name=job.upload_name,
        layout=layout_named(job.organisation, job.params["layout"]),
        actor=job.started_by,
    )
    counts = {"created": result.created, "duplicates": result.duplicates, "unmatched": result.unmatched}
    counts["readings"] = result.readings
    if result.reading_errors:  # shown on the job's page under its counts
        counts["_notes"] = [f"Показание не принято — {message}" for message in result.reading_errors[:50]]
    return counts


def due_mail_start(*, period: BillingPeriod, actor=None):
    return start_job(kind=DUE_MAIL, organisation=period.organisation_id, params={"period": period.pk}, actor=actor)


def _due_period(job) -> BillingPeriod:
    return BillingPeriod.objects.get(pk=job.params["period"], organisation_id=job.organisation_id)


def _due_mail_plan(job) -> list[dict]:
    """Chunks of the letters' links, each a task any worker takes (a city's mailing is shared by the workers)."""
    ids = list(services.payment_due_links(_due_period(job)).values_list("pk", flat=True))
    return registry.chunked(ids, settings.PAYMENTS_DUE_MAIL_CHUNK)


def _due_mail_chunk(job, params: dict, progress) -> dict:
    """Idempotent: a letter is claimed before it goes, so a chunk run again (its worker killed) sends only the
    letters not claimed yet."""
    return services.payment_due_send(period=_due_period(job), link_ids=params["ids"], progress=progress.add)


registry.register(
    registry.Kind(
        name=REGISTRY,
        label="Загрузка реестра платежей",
        run=_registry_run,
        user_errors=(RegistryError,),
        describe=lambda params: params.get("file", ""),
    )
)
registry.register(
    registry.Kind(name=DUE_MAIL, label="Письма о сроке оплаты", plan=_due_mail_plan, chunk=_due_mail_chunk)
)
exports.register_export(EXPORT, "Выгрузка платежей", lambda job: payments_table(exports.admin_queryset(job, Payment)))


@shared_task(name="abonent.payments.tasks.autopay_run")
def autopay_run() -> dict[str, int]:
    return autopay.autopay_run()


@shared_task(name="abonent.payments.tasks.fiscal_pending")
def fiscal_pending() -> int:
    return fiscal.pending_register()


def reconcile_start(*, day: dt.date, actor=None):
    """The reconciliation of a day as a job of the whole shop (no organisation: the provider's list covers all)."""
    return start_job(kind=RECONCILE, params={"day": day.isoformat()}, actor=actor)


def _reconcile_run(job, progress) -> dict:
    progress.phase("сверка платежей провайдера с нашими")
    report = reconciliation.reconcile(day=dt.date.fromisoformat(job.params["day"]))
    return {
        "provider": report.provider_count,
        "ours": report.our_count,
        "missing_ours": len(report.missing_ours),
        "missing_provider": len(report.missing_provider),
        "mismatches": len(report.mismatches),
    }


registry.register(
    registry.Kind(
        name=RECONCILE,
        label="Сверка платежей с провайдером",
        run=_reconcile_run,
        describe=lambda params: f"за {dt.date.fromisoformat(params['day']):%d.%m.%Y}",
        links=lambda job: [("Отчёты сверки", reverse("admin:payments_reconciliation_changelist"))],
    )
)


@shared_task(name="abonent.payments.tasks.reconcile_yesterday")
def reconcile_yesterday() -> int:
    """Beat's daily start: yesterday's reconciliation as a job (in the list of jobs, with its counts)."""
    return reconcile_start(day=timezone.localdate() - dt.timedelta(days=1)).pk
