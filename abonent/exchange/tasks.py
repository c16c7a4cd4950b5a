"""The exchange's background jobs: the debt registry for the bank, made when a period is published (debt_registry's
receiver starts it) or when an operator asks, in a worker rather than in the publish or the request — a city's
registry reads every account's debt. Its file is the job's result (downloaded from the job's page) and an exchange
file (downloaded from the list of exchange files, where every file sent or received is kept)."""

from django.urls import reverse

from abonent.billing.models import BillingPeriod
from abonent.jobs import files, registry
from abonent.jobs.services import start_job
from abonent.orgs.dates import month_label

from .debt_registry import debt_registry_make
from .errors import ExchangeRefused

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


def _run(job, progress) -> dict:
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
        run=_run,
        user_errors=(ExchangeRefused,),
        describe=lambda params: params.get("label", ""),
        links=_links,
    )
)
