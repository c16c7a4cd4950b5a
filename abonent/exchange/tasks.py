"""The exchange's background jobs: a month file from the organisation's billing, sent through the public API
(/api/v1/org/month-import/), checked and written by billing_month_import in a worker, as the admin's upload and the
command do in the foreground (the caller gets the job's id at once and asks for its state); and the register from
the billing uploaded in the office (its progress moves stage by stage: houses, premises, accounts, meters)."""

import datetime as dt

from abonent.billing.errors import BillingError
from abonent.jobs import registry
from abonent.jobs.services import start_job

from .errors import ExchangeRefused
from .month_import import billing_month_import
from .register_import import billing_register_import

MONTH_IMPORT = "exchange.month_import"
REGISTER = "exchange.register"


def month_import_start(*, organisation, month: dt.date, data: bytes, file_name: str, publish: bool, channel: str):
    """The job importing this file for this month (the same file sent again while it runs: the same job)."""
    params = {"month": f"{month:%Y-%m-%d}", "file": file_name[:255], "publish": publish, "channel": channel}
    return start_job(kind=MONTH_IMPORT, organisation=organisation, params=params, upload=data, upload_name=file_name)


def _month_import_run(job, progress) -> dict:
    progress.phase("проверка файла и запись месяца")
    result = billing_month_import(
        organisation=job.organisation,
        month=dt.date.fromisoformat(job.params["month"]),
        data=bytes(job.upload),
        file_name=job.upload_name,
        actor=job.started_by,
        channel=job.params["channel"],
        publish=job.params["publish"],
    )
    return {
        "version": result.file.version,
        "lines": result.lines,
        "accounts": result.accounts,
        "missing_accounts": len(result.missing),
        "published": int(result.published),
    }


def _describe(params: dict) -> str:
    month = dt.date.fromisoformat(params["month"])
    return f"{month:%m.%Y}, файл «{params['file']}»" + (", с публикацией" if params.get("publish") else "")


def register_start(*, organisation, data: bytes, file_name: str, actor=None):
    return start_job(
        kind=REGISTER,
        organisation=organisation,
        params={"file": file_name[:255]},
        actor=actor,
        upload=data,
        upload_name=file_name,
    )


def _register_run(job, progress) -> dict:
    progress.phase("проверка строк и запись реестра")
    result = billing_register_import(
        organisation=job.organisation,
        data=bytes(job.upload),
        file_name=job.upload_name,
        actor=job.started_by,
        channel="office",
        progress=progress,
    )
    return {**result.counts, "file": result.file.pk}


registry.register(
    registry.Kind(
        name=MONTH_IMPORT,
        label="Загрузка месяца из внешнего биллинга",
        run=_month_import_run,
        user_errors=(ExchangeRefused, BillingError),
        describe=_describe,
    )
)
registry.register(
    registry.Kind(
        name=REGISTER,
        label="Загрузка реестра из биллинга",
        run=_register_run,
        user_errors=(ExchangeRefused,),
        describe=lambda params: params.get("file", ""),
    )
)
