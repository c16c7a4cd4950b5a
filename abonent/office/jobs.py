"""The organisation's background jobs as the office shows them: the jobs include (jobs/_progress.html) with its
links pointing at the office's own job page and status, so an operator stays in the office while a step or an
import runs. Only the office's organisation's jobs: another organisation's is a 404, like every office object."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from abonent.billing.tasks import CLOSE
from abonent.exchange.tasks import REGISTER as BILLING_REGISTER
from abonent.jobs.access import jobs_for
from abonent.jobs.context import job_context
from abonent.jobs.models import Job
from abonent.lib.inputs import parse_id
from abonent.metering.tasks import IMPORT
from abonent.payments.tasks import REGISTRY

from . import exports, roles

DASHBOARD_ROWS = 10
# Who may run a failed job again from the office: whoever may start it there (roles.ALLOWED's entry). Other kinds
# (mailings, the schedule's) are retried in the admin's list of jobs.
RETRIED_BY = {
    CLOSE: "cycle_run",
    REGISTRY: "registry_import",
    IMPORT: "readings_import",
    BILLING_REGISTER: "register_import",
}


def of_office(user, organisation):
    """jobs.access decides what the user may see at all; the office narrows it to its organisation (a superuser
    would otherwise see every organisation's)."""
    return jobs_for(user).filter(organisation=organisation)


def job_for(user, organisation, job_id) -> Job:
    pk = parse_id(job_id)
    found = of_office(user, organisation).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("Задание не найдено")
    return found


def may_retry(role: str, job: Job) -> bool:
    entry = RETRIED_BY.get(job.kind)
    if job.kind == exports.KIND:  # a report's file: whoever may open the report
        entry = (job.params or {}).get("report")
    return entry in roles.ALLOWED and roles.may(role, entry)


def may_download(role: str, job: Job) -> bool:
    """A report's file only to whoever may open the report; other files to whoever sees the job."""
    if job.kind == exports.KIND:
        return may_retry(role, job)
    return roles.may(role, "job")


def context(job: Job, role: str) -> dict:
    """The include's context with the office's job page, status and retry instead of the admin's; no retry
    button for a role that could not start the job."""
    j = job_context(job)
    j["url"] = reverse("office:job", args=[job.pk])
    j["status_url"] = reverse("office:job_status", args=[job.pk])
    j["retry_url"] = reverse("office:job_retry", args=[job.pk]) if may_retry(role, job) else ""
    j["file_url"] = reverse("office:job_file", args=[job.pk]) if job.result_file and may_download(role, job) else ""
    if job.kind == CLOSE and j["links"]:  # the draft's review is on the office's cycle page
        j["links"] = [("Проверьте черновик перед публикацией: сверка с прошлым месяцем", reverse("office:cycle"))]
    if job.kind == REGISTRY and (job.result or {}).get("unmatched") and roles.may(role, "unmatched"):
        j["links"] = [*j["links"], ("Несопоставленные строки: зачислить на лицевой счёт", reverse("office:unmatched"))]
    return j


def running_and_failed(user, organisation, role: str) -> dict:
    jobs = of_office(user, organisation)
    return {
        "jobs_running": [context(j, role) for j in jobs.filter(state__in=Job.ACTIVE)[:DASHBOARD_ROWS]],
        "jobs_failed": [context(j, role) for j in jobs.filter(state=Job.State.FAILED)[:DASHBOARD_ROWS]],
    }
