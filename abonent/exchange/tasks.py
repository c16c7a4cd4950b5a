"""The exchange's background jobs: a month file from the organisation's billing and a bank statement, uploaded in
the back office. A city's month is hundreds of thousands of lines, a statement thousands of payments: more than a
request may take, so the upload queues a job (the file kept in the job) and its page shows the outcome. Both are
all-or-nothing and skip what was loaded before, so a job run again changes nothing twice."""

import datetime as dt

from abonent.billing.errors import BillingError
from abonent.jobs import registry
from abonent.jobs.services import start_job
from abonent.orgs.dates import month_label

from .bank_statement import statement_import
from .errors import ExchangeRefused
from .month_import import billing_month_import

MONTH, STATEMENT = "exchange.month", "exchange.statement"


def month_start(*, organisation, month, data: bytes, file_name: str, publish: bool, actor=None):
    params = {"month": month.isoformat(), "publish": publish, "file": file_name[:255]}
    return start_job(
        kind=MONTH, organisation=organisation, params=params, actor=actor, upload=data, upload_name=file_name
    )


def _month_run(job, progress) -> dict:
    progress.phase("проверка и загрузка файла месяца")
    result = billing_month_import(
        organisation=job.organisation,
        month=dt.date.fromisoformat(job.params["month"]),
        data=bytes(job.upload),
        file_name=job.upload_name,
        actor=job.started_by,
        channel="admin",
        publish=job.params.get("publish", False),
    )
    return {"lines": result.lines, "accounts": result.accounts, "_notes": [result.summary()]}


def statement_start(*, organisation, data: bytes, file_name: str, actor=None):
    params = {"file": file_name[:255]}
    return start_job(
        kind=STATEMENT, organisation=organisation, params=params, actor=actor, upload=data, upload_name=file_name
    )


def _statement_run(job, progress) -> dict:
    progress.phase("зачисление платежей выписки")
    result = statement_import(
        organisation=job.organisation, data=bytes(job.upload), file_name=job.upload_name, actor=job.started_by
    )
    return {
        "created": result.credited,
        "unmatched": result.unmatched,
        "duplicates": result.duplicates,
        "skipped_other": result.skipped,
    }


def _month_describe(params: dict) -> str:
    return f"{params.get('file', '')}, {month_label(dt.date.fromisoformat(params['month']))}"


registry.register(
    registry.Kind(
        name=MONTH,
        label="Загрузка месяца из биллинга",
        run=_month_run,
        user_errors=(ExchangeRefused, BillingError),
        describe=_month_describe,
    )
)
registry.register(
    registry.Kind(
        name=STATEMENT,
        label="Загрузка банковской выписки",
        run=_statement_run,
        user_errors=(ExchangeRefused,),
        describe=lambda params: params.get("file", ""),
    )
)
