"""Receipts' background jobs, fanned out in chunks of accounts so several workers share them:
  receipts.documents — the issued receipts' documents of a published period (started once its publishing has
                       committed): one INSERT … SELECT, so one task; a reprint, the mailing or the export that
                       comes first writes the documents it needs itself (issued.issue_documents);
  receipts.mail   — the e-mail mailing of a published period (started once its publishing has committed);
  receipts.export — the printing house's file: one merged PDF or a ZIP of separate PDFs.
A chunk is idempotent: the mailing claims each letter before it goes (ReceiptDelivery) and skips the claimed on a
rerun; an export chunk writes its part of the file again."""

import tempfile

from django.conf import settings
from django.core.files import File

from abonent.billing.models import BillingPeriod
from abonent.jobs import files, registry
from abonent.jobs.services import start_job

from . import services

MAIL, EXPORT, DOCUMENTS = "receipts.mail", "receipts.export", "receipts.documents"


def _period(job) -> BillingPeriod:
    return BillingPeriod.objects.select_related("organisation").get(
        pk=job.params["period"], organisation_id=job.organisation_id
    )


# --- the documents ---


def documents_start(*, period: BillingPeriod, actor=None):
    params = {"period": period.pk, "label": str(period)}
    return start_job(kind=DOCUMENTS, organisation=period.organisation_id, params=params, actor=actor)


def _documents_run(job, progress) -> dict:
    return {"documents": services.receipts_issue_documents(period=_period(job))}


# --- the mailing ---


def mailing_start(*, period: BillingPeriod, actor=None):
    return start_job(kind=MAIL, organisation=period.organisation_id, params={"period": period.pk}, actor=actor)


def mailing_after_publish(*, period: BillingPeriod) -> None:
    """For billing's period_published (sent once the publish has committed): queue the mailing; its task goes to
    the workers when the caller's transaction, if any, commits."""
    mailing_start(period=period)


def _mail_plan(job) -> list[dict]:
    period = _period(job)
    accounts = sorted({link.account_id for link in services.mailing_links(period)})
    return registry.chunked(accounts, settings.RECEIPTS_MAIL_CHUNK)


def _mail_chunk(job, params: dict, progress) -> dict:
    return services.receipts_send(period=_period(job), account_ids=params["ids"], progress=progress.add)


# --- the export ---


def export_start(*, period: BillingPeriod, fmt: str, actor=None):
    params = {"period": period.pk, "format": fmt, "label": str(period)}
    return start_job(kind=EXPORT, organisation=period.organisation_id, params=params, actor=actor)


def _export_plan(job) -> list[dict]:
    return registry.chunked(services.export_accounts(_period(job)), settings.RECEIPTS_EXPORT_CHUNK)


def _export_chunk(job, params: dict, progress) -> dict:
    fmt = job.params["format"]
    data = services.export_part(period=_period(job), fmt=fmt, account_ids=params["ids"])
    progress.add(params["size"])
    return {"part": files.save_part(job, params["n"], fmt, data)}


def _export_finish(job, results: list[dict]) -> dict:
    fmt, period = job.params["format"], _period(job)
    names = [result["part"] for result in results if result.get("part")]
    with tempfile.TemporaryFile() as out:  # the file of a city does not fit a worker's memory
        services.export_join(fmt, (files.read_part(name) for name in names), out)
        size = out.tell()
        out.seek(0)
        files.save_result(job, f"receipts-{period.organisation.code}-{period.month:%Y-%m}.{fmt}", File(out))
    files.drop_parts(names)
    return {"receipts": job.total, "bytes": size}


def _describe(params: dict) -> str:
    fmt = {"pdf": "один PDF", "zip": "ZIP-архив"}.get(params.get("format"), "")
    return ", ".join(part for part in (params.get("label", ""), fmt) if part)


registry.register(
    registry.Kind(name=DOCUMENTS, label="Выпуск документов квитанций", run=_documents_run, describe=_describe)
)
registry.register(
    registry.Kind(
        name=MAIL,
        label="Рассылка квитанций",
        plan=_mail_plan,
        chunk=_mail_chunk,
        user_errors=(services.ReceiptError,),
    )
)
registry.register(
    registry.Kind(
        name=EXPORT,
        label="Выгрузка квитанций для типографии",
        plan=_export_plan,
        chunk=_export_chunk,
        finish=_export_finish,
        user_errors=(services.ReceiptError,),
        describe=_describe,
    )
)
