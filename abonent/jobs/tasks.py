"""The Celery tasks every job runs through. Late acknowledgement: the broker keeps a task's message until the task
has ended, and a worker killed mid-task (SIGKILL, OOM, a lost machine) has it delivered to another worker, which
resumes the job (the runner's steps and the chunks are idempotent). Results go to the database, not Celery's
result backend."""

from celery import shared_task

from . import runner

LATE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="abonent.jobs.run", **LATE)
def run(job_id: int) -> None:
    runner.job_run(job_id)


@shared_task(name="abonent.jobs.chunk", **LATE)
def chunk(job_id: int, number: int) -> None:
    runner.chunk_run(job_id, number)
