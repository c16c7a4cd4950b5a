"""Sending a job's tasks to the broker. The tasks are looked up by name (abonent.jobs.tasks registers them):
the runner that fans a job out and the services that start it need not import the task module."""

from celery import current_app
from django.utils.module_loading import autodiscover_modules

RUN = "abonent.jobs.run"
CHUNK = "abonent.jobs.chunk"


def _task(name: str):
    if name not in current_app.tasks:
        autodiscover_modules("tasks")
    return current_app.tasks[name]


def job(job_id: int) -> None:
    _task(RUN).delay(job_id)


def chunk(job_id: int, number: int) -> None:
    _task(CHUNK).delay(job_id, number)
