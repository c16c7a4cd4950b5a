"""A job's page in the office and its JSON status, polled by jobs/progress.js (the same shape as the admin's)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from . import jobs
from .web import office_page


@office_page("job")
def job_page(request, job_id):
    job = jobs.job_for(request.user, request.office.organisation, job_id)
    return render(request, "office/job.html", {"job": job, "j": jobs.context(job)})


@office_page("job")
def job_status(request, job_id):
    job = jobs.job_for(request.user, request.office.organisation, job_id)
    html = render_to_string("jobs/_progress.html", {"j": jobs.context(job)}, request=request)
    return JsonResponse(
        {"state": job.state, "done": job.done, "total": job.total, "phase": job.phase, "html": html},
        headers={"Cache-Control": "no-store"},
    )
