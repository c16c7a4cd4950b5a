"""Metering's background jobs: a readings file uploaded in the back office (all or nothing, as from the command)
and the day's reading reminders."""

from celery import shared_task

from abonent.jobs import exports, registry
from abonent.jobs.services import start_job
from abonent.orgs.models import Organisation

from .exporting import readings_table
from .importing import FileError, read_rows, readings_import
from .models import Reading
from .reminders import reading_reminders_send

IMPORT, REMINDERS, EXPORT = "metering.import", "metering.reminders", "metering.export"
SHOWN_REFUSALS = 20


class ImportRefused(Exception):
    """The file had lines refused: nothing was written (the text lists them for the operator)."""


def import_start(*, organisation, data: bytes, file_name: str, actor=None):
    return start_job(
        kind=IMPORT,
        organisation=organisation,
        params={"file": file_name[:255]},
        actor=actor,
        upload=data,
        upload_name=file_name,
    )


def _import_run(job, progress) -> dict:
    progress.phase("чтение файла")
    rows = read_rows(bytes(job.upload), job.upload_name)
    progress.phase("проверка и запись показаний")
    report = readings_import(organisation=job.organisation, rows=rows, actor=job.started_by)
    if not report.ok:
        lines = "; ".join(f"строка {line}: {reason}" for line, reason in report.refused[:SHOWN_REFUSALS])
        more = len(report.refused) - SHOWN_REFUSALS
        tail = f"; и ещё {more}" if more > 0 else ""
        raise ImportRefused(
            f"Ничего не загружено: в файле {report.total} строк, отклонено {len(report.refused)}. "
            f"Исправьте строки и загрузите файл снова. {lines}{tail}"
        )
    return {"imported": report.imported}


def reminders_start(*, organisation, actor=None):
    return start_job(kind=REMINDERS, organisation=organisation, actor=actor)


def _reminders_run(job, progress) -> dict:
    """The reminders due today of the job's organisation, or (started by the schedule) of every organisation."""
    organisations = [job.organisation] if job.organisation else list(Organisation.objects.order_by("pk"))
    progress.phase("рассылка напоминаний", total=len(organisations))
    sent = 0
    for organisation in organisations:
        sent += reading_reminders_send(organisation=organisation)
        progress.add(1)
    return {"sent": sent}


@shared_task(name="abonent.metering.tasks.reminders")
def reminders() -> None:
    """For Celery beat: the day's reminders as a job (each reminder goes out once, however often it runs)."""
    reminders_start(organisation=None)


registry.register(
    registry.Kind(
        name=IMPORT,
        label="Загрузка показаний из файла",
        run=_import_run,
        user_errors=(FileError, ImportRefused),
        describe=lambda params: params.get("file", ""),
    )
)
registry.register(registry.Kind(name=REMINDERS, label="Напоминания о показаниях", run=_reminders_run))
exports.register_export(
    EXPORT, "Выгрузка показаний", lambda job: readings_table(exports.admin_queryset(job, Reading), job.organisation)
)
