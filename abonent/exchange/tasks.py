"""The exchange's background jobs: the register from the billing uploaded in the office (its progress moves
stage by stage: houses, premises, accounts, meters)."""

from abonent.jobs import registry
from abonent.jobs.services import start_job

from .errors import ExchangeRefused
from .register_import import billing_register_import

REGISTER = "exchange.register"


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
        name=REGISTER,
        label="Загрузка реестра из биллинга",
        run=_register_run,
        user_errors=(ExchangeRefused,),
        describe=lambda params: params.get("file", ""),
    )
)
