"""The office's background jobs: a turnover sheet too large to write while the accountant's request waits (a city's
100 000 accounts) is written by a worker as an XLSX file, downloaded from the job's page when it is done."""

from __future__ import annotations

import datetime as dt

from abonent.jobs import files, registry
from abonent.jobs.services import start_job
from abonent.lib import tables

from . import turnover

TURNOVER_XLSX = "office.turnover_xlsx"


def turnover_xlsx_start(*, organisation, first: dt.date, last: dt.date, by: str, building_id: int | None, actor):
    params = {"first": first.isoformat(), "last": last.isoformat(), "by": by, "building": building_id}
    return start_job(kind=TURNOVER_XLSX, organisation=organisation, params=params, actor=actor)


def _turnover_run(job, progress) -> dict:
    params = job.params
    first, last = dt.date.fromisoformat(params["first"]), dt.date.fromisoformat(params["last"])
    progress.phase("сбор ведомости")
    result = turnover.sheet(job.organisation, first, last, by=params["by"], building_id=params["building"])
    progress.phase("запись XLSX")
    table = turnover.xlsx_table(result, first, last)
    files.save_result(job, f"{table.name}.xlsx", tables.to_xlsx(table))
    return {"lines": len(result.lines)}


def _describe(params: dict) -> str:
    first, last = dt.date.fromisoformat(params["first"]), dt.date.fromisoformat(params["last"])
    return f"ОСВ {first:%m.%Y}–{last:%m.%Y}"


registry.register(
    registry.Kind(name=TURNOVER_XLSX, label="Оборотно-сальдовая ведомость (XLSX)", run=_turnover_run,
                  describe=_describe)
)  # fmt: skip
