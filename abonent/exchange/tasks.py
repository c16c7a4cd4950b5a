"""The exchange's background job: a month file from the organisation's billing, sent through the public API
(/api/v1/org/month-import/), checked and written by billing_month_import in a worker, as the admin's upload and the
command do in the foreground. The caller gets the job's id at once and asks for its state."""

import datetime as dt

from abonent.billing.errors import BillingError
from abonent.jobs import registry
from abonent.jobs.services import start_job

from .errors import ExchangeRefused
from .month_import import billing_month_import

MONTH_IMPORT = "exchange.month_import"


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


registry.register(
    registry.Kind(
        name=MONTH_IMPORT,
        label="Загрузка месяца из внешнего биллинга",
        run=_month_import_run,
        user_errors=(ExchangeRefused, BillingError),
        describe=_describe,
    )
)
