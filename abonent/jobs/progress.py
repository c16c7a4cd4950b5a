"""A job's progress as its code reports it, written where every web node can read it.

A step of the close runs in one transaction that commits only at its end; on PostgreSQL the figures are written
through a connection of their own (autocommit) so the page moves while the step runs, as billing's run records
do. Writes are spaced out (at most a few a second) and a failure to write never fails the job."""

import logging
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models import F
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
EVERY = 0.5  # seconds between writes


class Progress:
    def __init__(self, job: Job, listener=None):
        self.job_id, self.listener = job.pk, listener
        self.side = None
        self.pending: dict = {}
        self.added = 0
        self.last = 0.0

    # --- what the job's code calls ---
    def __call__(self, done: int, total: int | None = None) -> None:
        """Absolute figures: done of total (billing's callbacks pass both)."""
        self.pending.update(done=done, **({"total": total} if total is not None else {}))
        self._notify(done, total)
        self._flush()

    def add(self, count: int) -> None:
        """Count more items done (the fanned-out chunks add to one job)."""
        self.added += count
        self._notify(None, None, count)
        self._flush()

    def phase(self, text: str, total: int | None = None) -> None:
        self.pending["phase"] = text[:200]
        if total is not None:
            self.pending["total"] = total
            self._notify(None, total)
        self._flush(force=True)

    def close(self) -> None:
        self._flush(force=True)
        if self.side is not None:
            self.side.close()

    # --- writing ---
    def _notify(self, done, total, added=0) -> None:
        if self.listener:
            self.listener(done=done, total=total, added=added)

    def _flush(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < EVERY:
            return
        if not self.pending and not self.added:
            return
        values = {**self.pending, "heartbeat_at": timezone.now()}
        if self.added:
            values["added"] = self.added
        try:
            self._write(values)
        except DatabaseError:
            log.warning("progress of job %s not recorded", self.job_id, exc_info=True)
            return
        self.pending, self.added, self.last = {}, 0, time.monotonic()

    def _write(self, values: dict) -> None:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '200ms'")
            if _side_update(self.side, self.job_id, values):
                return
            # The job's own row is not committed yet (started and run in one transaction: a test, a command
            # inside atomic): written in that transaction instead.
        # SQLite has one writer: inside the job's transaction the figures are seen when it commits.
        added = values.pop("added", 0)
        if added:
            values["done"] = F("done") + added
        Job.objects.filter(pk=self.job_id).update(**values)


def _side_update(side, job_id: int, values: dict) -> int:
    sets, params = [], []
    for column in ("done", "total", "phase", "heartbeat_at"):
        if column in values:
            sets.append(f"{column} = %s")
            params.append(values[column])
    if values.get("added"):
        sets.append("done = done + %s")
        params.append(values["added"])
    with side.cursor() as cursor:
        cursor.execute(f"UPDATE jobs_job SET {', '.join(sets)} WHERE id = %s", [*params, job_id])
        return cursor.rowcount
