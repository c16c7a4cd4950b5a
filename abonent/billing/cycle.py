"""The monthly cycle: a period's steps and their run records.

A close runs per organisation and month in three steps, each one transaction (so a killed run leaves the period
as it was or complete, never half) and each idempotent (rerunning it gives the same rows):
  close_readings — the month's pending current readings become accepted; state READINGS_CLOSED;
  calculate      — charges, recalculations by readings, penalties and balances are deleted and rebuilt from the
                   register; state CALCULATED. A service the account does not receive in the month
                   (in_force.services_off) gets no line: water it does not receive is not in its sewerage, nor a
                   resource it does not receive in common-house needs;
  publish        — charges, recalculations and penalties enter the append-only ledger; state PUBLISHED. From then
                   on the period's charges never change: corrections are recalculations booked in a later period.
A step is not run before its local day (cycle_guard) unless an operator gives a reason, kept on its run record;
a run cut off by a kill shows as interrupted (run_is_interrupted) and its rerun completes the step.
On PostgreSQL the lines, balances and ledger entries are written by INSERT … SELECT (sql_close, ledger; the Python
engine takes only a meter read again after a gap); on SQLite the Python engine (engine) computes everything.
The rules are described in docs/BILLING.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone

from abonent.lib.bulk import BATCH, insert_rows
from abonent.metering.window import readings_close_month
from abonent.orgs.dates import month_label, month_start
from abonent.orgs.models import Organisation

from . import cycle_guard, figures, signals, sql_close
from .engine import CHARGE_COLUMNS, Engine, Progress
from .errors import BillingError
from .ledger import balances_rebuild, ledger_post_period
from .models import BillingPeriod, Charge, Penalty, PeriodRun, Recalculation
from .penalties import period_penalties

log = logging.getLogger(__name__)

STEPS = ("close_readings", "calculate", "publish")
State = BillingPeriod.State
STATE_ORDER = [State.OPEN, State.READINGS_CLOSED, State.CALCULATED, State.PUBLISHED]


def rank(state: str) -> int:
    """A state's place in the cycle: a step is done when the period's rank has reached it."""
    return STATE_ORDER.index(state)


def period_close(
    *,
    organisation: Organisation,
    month: dt.date,
    step: str | None = None,
    actor=None,
    progress: Progress | None = None,
    force_reason: str | None = None,
) -> BillingPeriod:
    """Run one step of the month's close, or (step None or "all") every step not yet done, in order.

    A step before its day (cycle_guard) is refused with EarlyStepError, and nothing runs, unless `force_reason`
    says why it must run now: the reason is kept on the run record of each early step."""
    month = month_start(month)
    period, _ = BillingPeriod.objects.get_or_create(organisation=organisation, month=month)
    if step in (None, "all"):
        todo = [s for s, done_at in zip(STEPS, range(1, 4), strict=True) if rank(period.state) < done_at]
    elif step in STEPS:
        todo = [step]
    else:
        raise BillingError(f"Неизвестный шаг: {step}")
    early = {name for name in todo if cycle_guard.early_step(period, name)}
    if early and force_reason is None:
        raise cycle_guard.early_step(period, next(n for n in todo if n in early))
    reason = cycle_guard.clean_reason(force_reason) if early else ""
    for name in todo:
        period = _run_step(period, name, actor=actor, progress=progress, reason=reason if name in early else "")
    return period


def _run_step(period: BillingPeriod, name: str, *, actor, progress: Progress | None, reason: str) -> BillingPeriod:
    with _period_lock(period):
        # The run record is written outside the step's transaction so a failure stays visible to operators.
        run = PeriodRun.objects.create(
            period=period, step=name, started_by=actor, heartbeat_at=timezone.now(), forced_reason=reason
        )
        reporter = _RunProgress(run, progress)
        try:
            with transaction.atomic():
                _notice_dead_clients()
                # One close of a period at a time: a second one waits here, then finds the work done.
                locked = BillingPeriod.objects.select_for_update().get(pk=period.pk)
                _mark_interrupted(run)
                step_function = {"close_readings": _close_readings, "calculate": _calculate, "publish": _publish}
                done = step_function[name](locked, run=run, progress=reporter)
        except Exception as exc:
            PeriodRun.objects.filter(pk=run.pk).update(
                status=PeriodRun.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
            )
            raise
        finally:
            reporter.close()
        PeriodRun.objects.filter(pk=run.pk).update(
            status=PeriodRun.Status.DONE, done=done, total=done, finished_at=timezone.now(), heartbeat_at=timezone.now()
        )
    period.refresh_from_db()
    return period


# --- runs cut off: a killed step's record says "running" until someone looks at the process behind it ---

# The advisory lock a running step holds (key: this and the period's id); on PostgreSQL the server drops it when
# the step's connection is gone, so a "running" record without it was killed.
RUN_LOCK_CLASS = 1_633_841_006


@contextlib.contextmanager
def _period_lock(period: BillingPeriod):
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [RUN_LOCK_CLASS, period.pk])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [RUN_LOCK_CLASS, period.pk])
        except DatabaseError:  # the connection is broken: the server has released the lock with it
            log.warning("advisory lock of period %s not released", period.pk, exc_info=True)


def _notice_dead_clients() -> None:
    # A killed client's server process would otherwise finish a long INSERT … SELECT before noticing, holding the
    # period's locks meanwhile; with this it gives up within seconds (PostgreSQL 14+).
    if connection.vendor == "postgresql" and connection.pg_version >= 140000:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL client_connection_check_interval = '2s'")


def _mark_interrupted(run: PeriodRun) -> None:
    """Earlier runs of the period still "running" are dead: this step holds the period (its lock, its row)."""
    PeriodRun.objects.filter(period_id=run.period_id, status=PeriodRun.Status.RUNNING, pk__lt=run.pk).update(
        status=PeriodRun.Status.INTERRUPTED, message="Шаг прерван (процесс остановлен); повторный запуск выполнен."
    )


def run_is_interrupted(run: PeriodRun) -> bool:
    """Whether the run was cut off: marked so, or "running" with nobody behind it — a later run of the period
    started, or (PostgreSQL) no process holds its period's lock, or (SQLite) no sign of life for a long while."""
    if run.status != PeriodRun.Status.RUNNING:
        return run.status == PeriodRun.Status.INTERRUPTED
    if PeriodRun.objects.filter(period_id=run.period_id, pk__gt=run.pk).exists():
        return True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
                " AND classid::bigint = %s AND objid::bigint = %s",
                [RUN_LOCK_CLASS, run.period_id],
            )
            return cursor.fetchone() is None
    seen = run.heartbeat_at or run.started_at
    return timezone.now() - seen > dt.timedelta(minutes=settings.BILLING_RUN_STALE_MINUTES)


def run_status_label(run: PeriodRun) -> str:
    """The run's state as the back office shows it: «Прервано» for a killed one still recorded as running."""
    if run.status == PeriodRun.Status.RUNNING and run_is_interrupted(run):
        return str(PeriodRun.Status.INTERRUPTED.label)
    return run.get_status_display()


class _RunProgress:
    """A step's progress, passed on to the caller's callback and written to its run record as it goes.

    The step's transaction commits only at its end, so on PostgreSQL the record is updated through a connection of
    its own (autocommit) and operators see the run move in the back office; it gives up on a lock rather than wait
    (the step itself may hold the record) and a failure here never fails the step. On SQLite the record shows the
    figures when the step ends.
    """

    def __init__(self, run: PeriodRun, progress: Progress | None):
        self.run, self.progress, self.side = run, progress, None

    def __call__(self, done: int, total: int) -> None:
        if connection.vendor == "postgresql":
            try:
                if self.side is None:
                    self.side = connections.create_connection(DEFAULT_DB_ALIAS)
                    with self.side.cursor() as cursor:
                        cursor.execute("SET lock_timeout = '200ms'")
                with self.side.cursor() as cursor:
                    cursor.execute(
                        "UPDATE billing_periodrun SET done = %s, total = %s, heartbeat_at = now() WHERE id = %s",
                        [done, total, self.run.pk],
                    )
            except DatabaseError:
                log.warning("progress of run %s not recorded", self.run.pk, exc_info=True)
        if self.progress:
            self.progress(done, total)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _close_readings(period: BillingPeriod, *, run, progress) -> int:
    if rank(period.state) >= rank(State.READINGS_CLOSED):
        return 0  # already done: a rerun changes nothing
    # Metering accepts the month's readings and records the month closed to new ones (billing asks, never the reverse).
    accepted = readings_close_month(organisation=period.organisation, month=period.month)
    period.state = State.READINGS_CLOSED
    period.readings_closed_at = timezone.now()
    period.save(update_fields=["state", "readings_closed_at"])
    return accepted


def _publish(period: BillingPeriod, *, run, progress) -> int:
    if period.state == State.PUBLISHED:
        transaction.on_commit(lambda: signals.period_publish_repeated.send(sender=BillingPeriod, period=period))
        return 0
    if period.state != State.CALCULATED:
        raise BillingError(f"Период {month_label(period.month)} ещё не рассчитан: публиковать нечего.")
    return _published(period, ledger_post_period(period))


def _published(period: BillingPeriod, entries: int) -> int:
    period.state = State.PUBLISHED
    period.published_at = timezone.now()
    period.save(update_fields=["state", "published_at"])
    signals.period_publishing.send(sender=BillingPeriod, period=period)  # the receipts stored as issued
    figures.organisation_figures_bump(period.organisation_id)
    transaction.on_commit(lambda: _announce_published(period.pk))
    return entries


def _announce_published(period_id: int) -> None:
    # Each receiver is a mailing of its own: one that fails is logged and does not stop the others.
    period = BillingPeriod.objects.get(pk=period_id)
    for receiver, result in signals.period_published.send_robust(sender=BillingPeriod, period=period):
        if isinstance(result, Exception):
            log.error("period_published receiver %r failed", receiver, exc_info=result)


def _calculate(period: BillingPeriod, *, run, progress) -> int:
    earlier = _calculable(period)
    # A rerun starts from nothing: the draft of this period goes, operators' recalculations stay.
    Charge.objects.filter(period=period).delete()
    Recalculation.objects.filter(period=period, kind=Recalculation.Kind.READINGS).delete()
    Penalty.objects.filter(period=period).delete()

    written, accounts, recalcs = _charges(period, progress)
    Recalculation.objects.bulk_create(recalcs, batch_size=BATCH)
    Penalty.objects.bulk_create(period_penalties(period, earlier), batch_size=BATCH)
    balances_rebuild(period)

    period.state = State.CALCULATED
    period.calculated_at = timezone.now()
    period.save(update_fields=["state", "calculated_at"])
    PeriodRun.objects.filter(pk=run.pk).update(total=accounts)
    return written


def _calculable(period: BillingPeriod) -> BillingPeriod | None:
    """Refuse a calculation out of order; returns the period before this one (None for the first)."""
    org, month = period.organisation, period.month
    if org.external_billing:
        raise BillingError(
            f"Организация «{org.short_name}» ведёт расчёт во внешнем биллинге: период {month_label(month)} не "
            "рассчитывается, его начисления загружаются из файла биллинга (manage.py import_billing_month)."
        )
    if period.state == State.PUBLISHED:
        raise BillingError(
            f"Период {month_label(month)} опубликован: начисления не меняются, исправления — перерасчётом."
        )
    if period.state == State.OPEN:
        raise BillingError(f"Показания за {month_label(month)} ещё не закрыты.")
    earlier = BillingPeriod.objects.filter(organisation=org, month__lt=month).order_by("-month").first()
    if earlier and rank(earlier.state) < rank(State.CALCULATED):
        raise BillingError(f"Сначала рассчитайте {month_label(earlier.month)}.")
    if BillingPeriod.objects.filter(
        organisation=org, month__gt=month, state__in=[State.CALCULATED, State.PUBLISHED]
    ).exists():
        raise BillingError("Более поздний период уже рассчитан: пересчёт этого периода нарушил бы сальдо.")
    return earlier


def _charges(period: BillingPeriod, progress: Progress | None) -> tuple[int, int, list[Recalculation]]:
    """Write the period's charge lines; returns (lines written, accounts, recalculations by readings)."""
    if connection.vendor == "postgresql":  # set-based: the common lines in SQL, the few with history in Python
        result = sql_close.calculate_charges(period, progress)
        return result.charges, result.accounts, result.recalculations
    engine = Engine(period.organisation, period, progress)
    charges, recalcs = engine.run()
    insert_rows(Charge, CHARGE_COLUMNS, charges)
    return len(charges), len(engine.accounts), recalcs
