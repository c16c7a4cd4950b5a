"""A job's page in the office and its JSON status, polled by jobs/progress.js (the same shape as the admin's)."""

import contextlib

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from abonent.jobs.services import JobError, job_retry

from . import jobs
from .web import office_page


@office_page("job")
def job_page(request, job_id):
    job = jobs.job_for(request.user, request.office.organisation, job_id)
    return render(request, "office/job.html", {"job": job, "j": jobs.context(job, request.office.role)})


@office_page("job")
def job_status(request, job_id):
    job = jobs.job_for(request.user, request.office.organisation, job_id)
    html = render_to_string("jobs/_progress.html", {"j": jobs.context(job, request.office.role)}, request=request)
    return JsonResponse(
        {"state": job.state, "done": job.done, "total": job.total, "phase": job.phase, "html": html},
        headers={"Cache-Control": "no-store"},
    )


@office_page("job", methods=("POST",))
def job_retry_view(request, job_id):
    job = jobs.job_for(request.user, request.office.organisation, job_id)
    if not jobs.may_retry(request.office.role, job):
        return render(
            request, "office/refused.html", {"reason": "Повторить это задание вашей роли нельзя."}, status=403
        )
    with contextlib.suppress(JobError):  # already running again or finished: its page says so
        job = job_retry(job=job, actor=request.user)
        messages.success(request, "Задание запущено снова.")
    return redirect("office:job", job.pk)


@office_page("job")
def job_file(request, job_id):
    """The job's file (a report's XLSX, the receipts' export), downloaded from the office."""
    job = jobs.job_for(request.user, request.office.organisation, job_id)
    if not job.result_file or not jobs.may_download(request.office.role, job):
        raise Http404("У задания нет файла")
    name = job.result_file.name.split("/")[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
