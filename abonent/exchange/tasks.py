"""Exchange's background job exchange.debt_registry: the bank's debt registry of a published period, started once
its publishing has committed, so the publish returns without building a file of every account."""

from abonent.billing.models import BillingPeriod
from abonent.jobs import registry
from abonent.jobs.services import start_job

from .debt_registry import debt_registry_make

DEBT_REGISTRY = "exchange.debt_registry"


def debt_registry_start(*, period: BillingPeriod, actor=None):
    params = {"period": period.pk, "label": str(period)}
    return start_job(kind=DEBT_REGISTRY, organisation=period.organisation_id, params=params, actor=actor)


def make_on_publish(sender, period: BillingPeriod, **kwargs) -> None:
    """period_published receiver: the file reads every account, so it is a job, not the publishing call's work."""
    debt_registry_start(period=period)


def _run(job, progress) -> dict:
    period = BillingPeriod.objects.select_related("organisation").get(
        pk=job.params["period"], organisation_id=job.organisation_id
    )
    return {"entries": debt_registry_make(period).lines}


def _describe(params: dict) -> str:
    return params.get("label", "")


registry.register(
    registry.Kind(name=DEBT_REGISTRY, label="Реестр задолженности для банка", run=_run, describe=_describe)
)
