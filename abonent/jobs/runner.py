"""Running a job: what a worker does with the tasks of abonent.jobs.tasks (and a command in the foreground).

Every delivery of a task may be a second one (late acknowledgement: a worker killed mid-task has its message
delivered again), so each step checks the job's state first and the chunks are idempotent: a done chunk is
skipped, and the items inside one are claimed before they are done. On PostgreSQL a chunk is held by an advisory
lock while it runs, so two workers never run the same chunk at once (the server drops the lock of a dead one)."""

import contextlib
import logging
import os
import socket

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from . import enqueue, registry
from .errors import error_text
from .models import Job, JobChunk
from .progress import Progress

log = logging.getLogger(__name__)
CHUNK_LOCK_CLASS = 1_633_841_019
# the advisory lock class of chunks (billing's runs use another)


def job_run(job_id: int, *, inline: bool = False, listener=None) -> Job | None:
    """Run the job (or, fanned out, plan its chunks and send them). `inline`: run the chunks here, one after
    another (a command in the foreground); `listener` sees the progress (tqdm)."""
    job = _begin(job_id)
    if job is None:
        return None
    kind = registry.get(job.kind)
    progress = Progress(job, listener)
    try:
        if not kind.fanned_out:
            _finish(job, kind.run(job, progress))
        else:
            _fan_out(job, kind, inline=inline, listener=listener)
    except Exception as exc:
        _fail(job, exc)
        if not inline:
            log.exception("job %s failed", job_id)
        else:
            raise
    finally:
        progress.close()
    job.refresh_from_db()
    return job


def _begin(job_id: int) -> Job | None:
    """Mark the job running; None if there is nothing to do (finished, failed, gone: a stale delivery)."""
    now = timezone.now()
    updated = Job.objects.filter(pk=job_id, state__in=Job.ACTIVE).update(
        state=Job.State.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now
    )
    if not updated:
        return None
    Job.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return Job.objects.select_related("organisation", "started_by").get(pk=job_id)


def _fan_out(job: Job, kind, *, inline: bool, listener) -> None:
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if not JobChunk.objects.filter(job=locked).exists():  # planned once, whichever delivery comes first
            plan = kind.plan(locked)
            JobChunk.objects.bulk_create(
                [JobChunk(job=locked, number=n, params=params) for n, params in enumerate(plan)]
            )
            Job.objects.filter(pk=job.pk).update(
                chunks_total=len(plan), total=sum(p.get("size", 0) for p in plan), done=0, chunks_done=0
            )
    if listener:  # a command's bar: the total is known once planned
        job.refresh_from_db(fields=["done", "total"])
        listener(done=job.done, total=job.total)
    todo = list(JobChunk.objects.filter(job=job, done=False).values_list("number", flat=True))
    if not todo:
        _maybe_finish(job.pk)
        return
    for number in todo:
        if inline:
            chunk_run(job.pk, number, listener=listener, raise_errors=True)
        else:
            enqueue.chunk(job.pk, number)


def chunk_run(job_id: int, number: int, *, listener=None, raise_errors: bool = False) -> None:
    job = Job.objects.select_related("organisation", "started_by").filter(pk=job_id).first()
    if job is None or not job.is_active:
        return  # failed or finished meanwhile: the retry sends the chunks again
    chunk = JobChunk.objects.get(job=job, number=number)
    if chunk.done:
        _maybe_finish(job_id)
        return
    with _chunk_lock(chunk.pk) as held:
        if not held:
            return  # another worker runs it; if that one dies its own delivery comes back
        chunk.refresh_from_db()
        if not chunk.done:
            _chunk_work(job, chunk, listener, raise_errors)
    _maybe_finish(job_id)


def _chunk_work(job: Job, chunk: JobChunk, listener, raise_errors: bool) -> None:
    kind = registry.get(job.kind)
    progress = Progress(job, listener)
    try:
        result = kind.chunk(job, chunk.params, progress)
    except Exception as exc:
        _fail(job, exc)
        log.exception("chunk %s of job %s failed", chunk.number, job.pk)
        if raise_errors:
            raise
        return
    finally:
        progress.close()
    result = {
        **(result or {}),
        "_by": f"{socket.gethostname()}:{os.getpid()}",
    }  # which worker did it: the list shows workers sharing a job
    with transaction.atomic():
        if JobChunk.objects.filter(pk=chunk.pk, done=False).update(
            done=True, result=result, finished_at=timezone.now()
        ):
            Job.objects.filter(pk=job.pk).update(chunks_done=F("chunks_done") + 1, heartbeat_at=timezone.now())


def _maybe_finish(job_id: int) -> None:
    """The last chunk to end combines the chunks' results (once: under the job's row lock)."""
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=job_id)
        if not job.is_active or JobChunk.objects.filter(job=job, done=False).exists():
            return
        results = list(JobChunk.objects.filter(job=job).order_by("number").values_list("result", flat=True))
        kind = registry.get(job.kind)
        try:
            result = kind.finish(job, results) if kind.finish else _summed(results)
        except Exception as exc:
            transaction.set_rollback(True)
            _fail_later(job, exc)
            return
        _finish(job, result)


def _summed(results: list[dict]) -> dict:
    total: dict = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total


def _finish(job: Job, result: dict | None) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk, state__in=Job.ACTIVE).update(
        state=Job.State.FINISHED, result=result or {}, finished_at=now, heartbeat_at=now, done=F("total"), phase=""
    )
    # A job without a known total counted nothing: its figures are whatever it reported.
    Job.objects.filter(pk=job.pk, total=0).update(done=0)


def _fail(job: Job, exc: BaseException) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, error=error_text(job.kind, exc), finished_at=timezone.now()
    )


def _fail_later(job: Job, exc: BaseException) -> None:
    transaction.on_commit(lambda: _fail(job, exc))


@contextlib.contextmanager
def _chunk_lock(chunk_pk: int):
    if connection.vendor != "postgresql":
        yield True  # SQLite: one writer at a time; the done flag is what a second run finds
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", [CHUNK_LOCK_CLASS, chunk_pk])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [CHUNK_LOCK_CLASS, chunk_pk])
            except DatabaseError:
                log.warning("advisory lock of chunk %s not released", chunk_pk, exc_info=True)
