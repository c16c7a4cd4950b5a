"""The operator's pages of jobs: a list and a job's own page, whose progress updates itself (static
jobs/progress.js asks the JSON status; without JavaScript the page refreshes itself while the job runs)."""

import contextlib

from django.contrib import admin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from . import access, registry, services
from .context import job_context


def job_list(request):
    jobs = access.jobs_for(request.user)
    kind = request.GET.get("kind", "")
    if kind:
        jobs = jobs.filter(kind=kind)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    context = {
        "title": "Фоновые задания",
        "page": page,
        "rows": [job_context(job) for job in page.object_list],
        "active": any(job.is_active for job in page.object_list),
        "kinds": [(name, registry.label(name)) for name in registry.names()],
        "kind": kind,
    }
    return TemplateResponse(request, "jobs/list.html", {**_admin_context(request), **context})


def job_detail(request, job_id):
    job = access.job_for(request.user, job_id)
    context = {"title": f"Задание: {registry.label(job.kind)}", "job": job, "j": job_context(job)}
    return TemplateResponse(request, "jobs/detail.html", {**_admin_context(request), **context})


def job_status(request, job_id):
    job = access.job_for(request.user, job_id)
    j = job_context(job)
    html = render_to_string("jobs/_progress.html", {"j": j}, request=request)
    return JsonResponse(
        {"state": job.state, "done": job.done, "total": job.total, "phase": job.phase, "html": html},
        headers={"Cache-Control": "no-store"},
    )


@require_POST
def job_retry(request, job_id):
    job = access.job_for(request.user, job_id)
    with contextlib.suppress(services.JobError):  # already running again or finished: its page says so
        job = services.job_retry(job=job, actor=request.user)
    return redirect("jobs:detail", job.pk)


def job_file(request, job_id):
    job = access.job_for(request.user, job_id)
    if not job.result_file:
        raise Http404("У задания нет файла")
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.split("/")[-1])


def _admin_context(request) -> dict:
    return admin.site.each_context(request)
