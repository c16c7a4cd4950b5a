"""The exchange's background jobs: a month file from the organisation's billing — sent through the public API
(/api/v1/org/month-import/) or uploaded in the back office, one job kind for both — checked and written by
billing_month_import in a worker; a bank statement uploaded in the back office; the register from the billing
uploaded in the office (its progress moves stage by stage: houses, premises, accounts, meters); and the debt
registry for the bank, made when a period is published (debt_registry's receiver starts it) or when an operator
asks. A city's month is hundreds of thousands of lines, a statement thousands of payments, a city's registry reads
every account's debt: more than a request may take, so each is a job (the uploaded file kept in the job) and its
page shows the outcome. The imports are all-or-nothing and skip what was loaded before, so a job run again changes
nothing twice. The debt registry's file is the job's result (downloaded from the job's page) and an exchange file
(downloaded from the list of exchange files, where every file sent or received is kept)."""

import datetime as dt

from django.urls import reverse

from abonent.billing.errors import BillingError
from abonent.billing.models import BillingPeriod
from abonent.jobs import files, registry
from abonent.jobs.services import start_job
from abonent.orgs.dates import month_label

from .bank_statement import statement_import
from .debt_registry import debt_registry_make
from .errors import ExchangeRefused
from .month_import import billing_month_import
from .register_import import billing_register_import

MONTH_IMPORT = "exchange.month_import"
STATEMENT = "exchange.statement"
REGISTER = "exchange.register"


def month_import_start(
    *, organisation, month: dt.date, data: bytes, file_name: str, publish: bool, channel: str, actor=None
):
    """The job importing this file for this month (the same file sent again while it runs: the same job)."""
    params = {"month": f"{month:%Y-%m-%d}", "file": file_name[:255], "publish": publish, "channel": channel}
    return start_job(
        kind=MONTH_IMPORT, organisation=organisation, params=params, actor=actor, upload=data, upload_name=file_name
    )


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
    # Whole numbers only: the API's job answer gives the result as integers.
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


def register_start(*, organisation, data: bytes, file_name: str, actor=None, channel: str = "office"):
    return start_job(
        kind=REGISTER,
        organisation=organisation,
        params={"file": file_name[:255], "channel": channel},
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
        # a job queued before the API could send the register came from the office
        channel=job.params.get("channel", "office"),
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
        name=STATEMENT,
        label="Загрузка банковской выписки",
        run=_statement_run,
        user_errors=(ExchangeRefused,),
        describe=lambda params: params.get("file", ""),
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


DEBT_REGISTRY = "exchange.debt_registry"


def debt_registry_start(*, period: BillingPeriod, actor=None, channel: str = "publish"):
    """Queue the period's registry; the same period's registry already queued or running is returned instead."""
    if period.state != BillingPeriod.State.PUBLISHED:
        raise ExchangeRefused([f"период {month_label(period.month)} не опубликован: реестр задолженности не готов"])
    return start_job(
        kind=DEBT_REGISTRY,
        organisation=period.organisation_id,
        params={"period": period.pk, "label": month_label(period.month), "channel": channel},
        actor=actor,
        key=f"{DEBT_REGISTRY}:{period.pk}",
    )


def registry_on_publish(sender, period: BillingPeriod, **kwargs) -> None:
    """period_published receiver (after the publish's commit)."""
    debt_registry_start(period=period)


def _debt_registry_run(job, progress) -> dict:
    period = BillingPeriod.objects.select_related("organisation").get(
        pk=job.params["period"], organisation_id=job.organisation_id
    )
    progress.phase("реестр задолженности")
    stored = debt_registry_make(period, channel=job.params.get("channel", "publish"))
    files.save_result(job, stored.file_name, bytes(stored.content))
    return {"accounts": stored.lines, "_file": stored.pk}


def _links(job) -> list[tuple[str, str]]:
    if not job.result.get("_file"):
        return []
    download = reverse("admin:exchange_exchangefile_download", args=[job.result["_file"]])
    return [("Скачать реестр из списка файлов обмена", download)]


registry.register(
    registry.Kind(
        name=DEBT_REGISTRY,
        label="Реестр задолженности для банка",
        run=_debt_registry_run,
        user_errors=(ExchangeRefused,),
        describe=lambda params: params.get("label", ""),
        links=_links,
    )
)
