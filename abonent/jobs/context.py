"""What a job's progress include shows, from the job: one place for the list, the job's page and the JSON."""

from django.urls import reverse

from . import labels, registry
from .models import Job


def job_context(job: Job) -> dict:
    try:
        kind = registry.get(job.kind)
    except LookupError:
        kind = None
    return {
        "job": job,
        "label": kind.label if kind else job.kind,
        "about": kind.describe(job.params) if kind and kind.describe else "",
        "counts": labels.counts(job.result),
        "notes": [str(note) for note in (job.result or {}).get("_notes", [])],
        "links": kind.links(job) if kind and kind.links and job.state == Job.State.FINISHED else [],
        "url": reverse("jobs:detail", args=[job.pk]),
        "status_url": reverse("jobs:status", args=[job.pk]),
        "retry_url": reverse("jobs:retry", args=[job.pk]),
        "file_url": reverse("jobs:file", args=[job.pk]) if job.result_file else "",
        "shown_done": min(job.done, job.total) if job.total else job.done,
    }
