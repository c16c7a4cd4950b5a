"""Starting a job and retrying a failed one. Both return at once: the work is a Celery task, sent to the broker
once the starting transaction commits (a rolled-back start sends nothing)."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import enqueue, registry
from .models import Job


class JobError(Exception):
    pass


def dedupe_key(kind: str, organisation_id: int | None, params: dict) -> str:
    text = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{kind}:{organisation_id or '-'}:{digest}"


def start_job(
    *,
    kind: str,
    organisation=None,
    params: dict | None = None,
    actor=None,
    key: str | None = None,
    upload: bytes | None = None,
    upload_name: str = "",
    send: bool = True,
) -> Job:
    """The job of this kind for these parameters: the one already queued or running (whoever started it), or a
    new one queued now. `key` overrides what counts as "the same job" (by default kind, organisation, params)."""
    registry.get(kind)  # an unknown kind is refused here, not in a worker
    params = params or {}
    org_id = getattr(organisation, "pk", organisation)
    if key is None:
        # The same file uploaded twice is the same job: its contents are part of the key.
        extra = {"_upload": hashlib.sha256(upload).hexdigest()} if upload is not None else {}
        key = dedupe_key(kind, org_id, {**params, **extra})
    existing = Job.objects.filter(dedupe_key=key, state__in=Job.ACTIVE).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                organisation_id=org_id,
                params=params,
                dedupe_key=key,
                started_by=_user(actor),
                upload=upload,
                upload_name=upload_name[:255],
            )
    except IntegrityError:  # started by someone else a moment ago
        return Job.objects.get(dedupe_key=key, state__in=Job.ACTIVE)
    if send:  # a command running the job in the foreground sends nothing
        transaction.on_commit(lambda: enqueue.job(job.pk))
    return job


def job_retry(*, job: Job, actor=None) -> Job:
    """Run a failed job again: its done chunks are kept and skipped, the rest run. If the same job has been
    started again meanwhile, that one is returned."""
    if job.state != Job.State.FAILED:
        raise JobError("Повторить можно только задание, завершившееся ошибкой.")
    try:
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
                state=Job.State.QUEUED, error="", phase="", finished_at=None, created_at=timezone.now()
            )
    except IntegrityError:
        return Job.objects.get(dedupe_key=job.dedupe_key, state__in=Job.ACTIVE)
    if updated:
        transaction.on_commit(lambda: enqueue.job(job.pk))
    job.refresh_from_db()
    return job


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
