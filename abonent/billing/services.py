"""The monthly cycle and the ledger: use cases that change billing state.

A close runs per organisation and month in three steps, each one transaction (so a killed run leaves the period
as it was or complete, never half) and each idempotent (rerunning it gives the same rows):
  close_readings — the month's pending current readings become accepted; state READINGS_CLOSED;
  calculate      — charges, recalculations by readings, penalties and balances are deleted and rebuilt from the
                   register in a handful of set-based queries; state CALCULATED. A service the account does not
                   receive in the month (AccountServiceOff, _services_off) gets no line: water it does not
                   receive is not in its sewerage, nor a resource it does not receive in common-house needs;
  publish        — charges, recalculations and penalties enter the append-only ledger; state PUBLISHED. From then
                   on the period's charges never change: corrections are recalculations booked in a later period.
On PostgreSQL the lines, balances and ledger entries are written by sql_close's INSERT … SELECT (the Python engine
takes only a meter read again after a gap); on SQLite the Python engine below computes everything.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from abonent.housing.models import Building, PersonalAccount
from abonent.metering.models import Meter, Reading, Resource
from abonent.orgs.dates import add_months, month_end, month_label, month_start
from abonent.orgs.models import Organisation

from . import calculations as calc
from . import figures, signals, sql_close
from .models import (
    AccountBalance,
    AccountServiceOff,
    BillingPeriod,
    Charge,
    LedgerEntry,
    Norm,
    Penalty,
    PenaltyRate,
    PeriodRun,
    Recalculation,
    Service,
    Tariff,
)

log = logging.getLogger(__name__)

STEPS = ("close_readings", "calculate", "publish")
BATCH = 5000
ZERO = Decimal("0")
WATER = (Resource.COLD_WATER, Resource.HOT_WATER)
State = BillingPeriod.State
STATE_ORDER = [State.OPEN, State.READINGS_CLOSED, State.CALCULATED, State.PUBLISHED]

Progress = Callable[[int, int], None]


class BillingError(Exception):
    """A step that must not run now; the message is for the operator, in Russian."""


def _rank(state: str) -> int:
    return STATE_ORDER.index(state)


CHARGE_COLUMNS = (
    "account_id",
    "period_id",
    "service_id",
    "meter_id",
    "basis",
    "previous_value",
    "current_value",
    "volume",
    "price",
    "factor",
    "factor_excess",
    "amount",
    "house_volume",
)
BALANCE_COLUMNS = ("account_id", "period_id", "opening", "charged", "recalculated", "penalties", "paid", "closing")
LEDGER_COLUMNS = (
    "account_id",
    "period_id",
    "kind",
    "amount",
    "occurred_on",
    "source",
    "source_id",
    "idempotency_key",
    "created_at",
)


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write many rows: COPY on PostgreSQL (several times faster than INSERT through the ORM, which spends most
    of a city's close preparing values), bulk_create in batches elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH)


# --- the close ---


def period_close(
    *,
    organisation: Organisation,
    month: dt.date,
    step: str | None = None,
    actor=None,
    progress: Progress | None = None,
) -> BillingPeriod:
    """Run one step of the month's close, or (step None or "all") every step not yet done, in order."""
    month = month_start(month)
    period, _ = BillingPeriod.objects.get_or_create(organisation=organisation, month=month)
    if step in (None, "all"):
        todo = [s for s, done_at in zip(STEPS, range(1, 4), strict=True) if _rank(period.state) < done_at]
    elif step in STEPS:
        todo = [step]
    else:
        raise BillingError(f"Неизвестный шаг: {step}")
    for name in todo:
        period = _run_step(period, name, actor=actor, progress=progress)
    return period


def _run_step(period: BillingPeriod, name: str, *, actor, progress: Progress | None) -> BillingPeriod:
    # The run record is written outside the step's transaction so a failure stays visible to operators.
    run = PeriodRun.objects.create(period=period, step=name, started_by=actor)
    reporter = _RunProgress(run, progress)
    try:
        with transaction.atomic():
            # One close of a period at a time: a second one waits here, then finds the work done.
            locked = BillingPeriod.objects.select_for_update().get(pk=period.pk)
            step_function = {"close_readings": _close_readings, "calculate": _calculate, "publish": _publish}[name]
            done = step_function(locked, run=run, progress=reporter)
    except Exception as exc:
        PeriodRun.objects.filter(pk=run.pk).update(
            status=PeriodRun.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        reporter.close()
    PeriodRun.objects.filter(pk=run.pk).update(
        status=PeriodRun.Status.DONE, done=done, total=done, finished_at=timezone.now()
    )
    period.refresh_from_db()
    return period


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
                        "UPDATE billing_periodrun SET done = %s, total = %s WHERE id = %s", [done, total, self.run.pk]
                    )
            except DatabaseError:
                log.warning("progress of run %s not recorded", self.run.pk, exc_info=True)
        if self.progress:
            self.progress(done, total)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _close_readings(period: BillingPeriod, *, run, progress) -> int:
    if _rank(period.state) >= _rank(State.READINGS_CLOSED):
        return 0  # already done: a rerun changes nothing
    accepted = _accept_readings(period)
    period.state = State.READINGS_CLOSED
    period.readings_closed_at = timezone.now()
    period.save(update_fields=["state", "readings_closed_at"])
    return accepted


def _accept_readings(period: BillingPeriod) -> int:
    try:  # metering owns the readings' life when it offers the step
        from abonent.metering.services import readings_accept_period
    except ImportError:
        readings_accept_period = None
    if readings_accept_period is not None:
        result = readings_accept_period(organisation=period.organisation, period=period.month)
        return result if isinstance(result, int) else 0
    org = period.organisation
    return Reading.objects.filter(
        Q(meter__premises__building__organisation=org) | Q(meter__building__organisation=org),
        period=period.month,
        is_current=True,
        status=Reading.Status.PENDING,
    ).update(status=Reading.Status.ACCEPTED)


def _publish(period: BillingPeriod, *, run, progress) -> int:
    if period.state == State.PUBLISHED:
        return 0
    if period.state != State.CALCULATED:
        raise BillingError(f"Период {month_label(period.month)} ещё не рассчитан: публиковать нечего.")
    now = timezone.now()
    if connection.vendor == "postgresql":  # one INSERT … SELECT
        return _published(period, sql_close.post_to_ledger(period, now))
    end = month_end(period.month)
    pk = period.pk
    # Tuples in LEDGER_COLUMNS order; one charge entry per account (the lines are in Charge), one per
    # recalculation and penalty. Balances need no rebuild: payments and recalculations since the calculation
    # have already refreshed them.
    charges = Charge.objects.filter(period=period).values("account_id").annotate(total=Sum("amount"))
    entries = [
        (
            r["account_id"],
            pk,
            "charge",
            calc.round_money(r["total"]),
            end,
            "period",
            str(pk),
            f"charge:{pk}:{r['account_id']}",
            now,
        )
        for r in charges
    ]
    for kind, model in (("recalculation", Recalculation), ("penalty", Penalty)):
        entries += [
            (account_id, pk, kind, amount, end, kind, str(row_id), f"{kind}:{row_id}", now)
            for row_id, account_id, amount in model.objects.filter(period=period).values_list(
                "id", "account_id", "amount"
            )
        ]
    if LedgerEntry.objects.filter(period=period).exclude(kind=LedgerEntry.Kind.PAYMENT).exists():
        objects = [LedgerEntry(**dict(zip(LEDGER_COLUMNS, row, strict=True))) for row in entries]
        LedgerEntry.objects.bulk_create(objects, batch_size=BATCH, ignore_conflicts=True)
    else:  # the usual case: nothing of this period is in the ledger yet, so the fast path cannot conflict
        insert_rows(LedgerEntry, LEDGER_COLUMNS, entries)
    return _published(period, len(entries))


def _published(period: BillingPeriod, entries: int) -> int:
    period.state = State.PUBLISHED
    period.published_at = timezone.now()
    period.save(update_fields=["state", "published_at"])
    figures.organisation_figures_bump(period.organisation_id)
    transaction.on_commit(lambda: _announce_published(period.pk))
    return entries


def _announce_published(period_id: int) -> None:
    # Each receiver is a mailing of its own: one that fails is logged and does not stop the others.
    period = BillingPeriod.objects.get(pk=period_id)
    for receiver, result in signals.period_published.send_robust(sender=BillingPeriod, period=period):
        if isinstance(result, Exception):
            log.error("period_published receiver %r failed", receiver, exc_info=result)


# --- calculate ---


@dataclass
class AccountRow:
    id: int
    premises_id: int
    building_id: int
    area: Decimal
    residents: int


def _dated(model, services: list[Service], month: dt.date) -> dict[int, object]:
    """The tariff (or норматив) of each service valid in the month: the latest one that starts by its end."""
    rows = (
        model.objects.filter(service__in=services, valid_from__lte=month_end(month))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("service_id", "valid_from")
    )
    return {row.service_id: row for row in rows}


def _services_off(org: Organisation, month: dt.date, services: list[Service]) -> set[tuple[int, int]]:
    """The (account, service) pairs the month does not charge: rows of «услуга не оказывается» that touch the
    month (calculations.service_off_in_month, as a query), with the common-house needs of a resource the account
    does not receive (calculations.services_off_with_common). Both engines take this set."""
    rows = (
        AccountServiceOff.objects.filter(account__organisation=org, service__in=services, since__lte=month_end(month))
        .filter(Q(until__isnull=True) | Q(until__gte=month))
        .values_list("account_id", "service_id")
    )
    return calc.services_off_with_common(rows, [(s.pk, s.method, s.resource) for s in services])


def _calculate(period: BillingPeriod, *, run, progress) -> int:
    org = period.organisation
    month = period.month
    if period.state == State.PUBLISHED:
        raise BillingError(
            f"Период {month_label(month)} опубликован: начисления не меняются, исправления — перерасчётом."
        )
    if period.state == State.OPEN:
        raise BillingError(f"Показания за {month_label(month)} ещё не закрыты.")
    earlier = BillingPeriod.objects.filter(organisation=org, month__lt=month).order_by("-month").first()
    if earlier and _rank(earlier.state) < _rank(State.CALCULATED):
        raise BillingError(f"Сначала рассчитайте {month_label(earlier.month)}.")
    if BillingPeriod.objects.filter(
        organisation=org, month__gt=month, state__in=[State.CALCULATED, State.PUBLISHED]
    ).exists():
        raise BillingError("Более поздний период уже рассчитан: пересчёт этого периода нарушил бы сальдо.")

    # A rerun starts from nothing: the draft of this period goes, operators' recalculations stay.
    Charge.objects.filter(period=period).delete()
    Recalculation.objects.filter(period=period, kind=Recalculation.Kind.READINGS).delete()
    Penalty.objects.filter(period=period).delete()

    if connection.vendor == "postgresql":  # set-based: the common lines in SQL, the few with history in Python
        result = sql_close.calculate_charges(period, progress)
        written, accounts, recalcs = result.charges, result.accounts, result.recalculations
    else:
        engine = _Engine(org, period, progress)
        charges, recalcs = engine.run()
        insert_rows(Charge, CHARGE_COLUMNS, charges)
        written, accounts = len(charges), len(engine.accounts)
    Recalculation.objects.bulk_create(recalcs, batch_size=BATCH)
    penalties = _penalties(period, earlier)
    Penalty.objects.bulk_create(penalties, batch_size=BATCH)
    _build_balances(period)

    period.state = State.CALCULATED
    period.calculated_at = timezone.now()
    period.save(update_fields=["state", "calculated_at"])
    PeriodRun.objects.filter(pk=run.pk).update(total=accounts)
    return written


class _Engine:
    """Everything one organisation's month needs, loaded in a few queries, then computed in memory."""

    def __init__(self, org: Organisation, period: BillingPeriod, progress: Progress | None):
        self.org = org
        self.period = period
        self.month = period.month
        self.end = month_end(self.month)
        self.progress = progress
        self.skipped: dict[str, int] = defaultdict(int)

    def load(self) -> None:
        month, end = self.month, self.end
        self.services = list(Service.objects.filter(organisation=self.org, is_active=True))
        self.tariffs = _dated(Tariff, self.services, month)
        self.norms = _dated(Norm, self.services, month)
        self.off = _services_off(self.org, month, self.services)
        self.accounts = [
            AccountRow(a["id"], a["premises_id"], a["premises__building_id"], a["premises__total_area"], a[rp])
            for rp in ["premises__residents"]
            for a in PersonalAccount.objects.filter(organisation=self.org, opened_on__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=month))
            .values("id", "premises_id", "premises__building_id", "premises__total_area", rp)
            .order_by("id")
        ]
        self.buildings = {
            b["id"]: b for b in Building.objects.filter(organisation=self.org).values("id", "total_area", "common_area")
        }
        # Total area per building from the premises when the register leaves the building's total empty.
        area_sum: dict[int, Decimal] = defaultdict(Decimal)
        for a in self.accounts:
            area_sum[a.building_id] += a.area
        for building_id, b in self.buildings.items():
            if not b["total_area"]:
                b["total_area"] = area_sum.get(building_id, ZERO)

        active = Q(installed_on__lte=end, status=Meter.Status.ACTIVE) & (
            Q(closed_on__isnull=True) | Q(closed_on__gt=month)
        )
        meters = list(
            Meter.objects.filter(active)
            .filter(Q(premises__building__organisation=self.org) | Q(building__organisation=self.org))
            .values(
                "id",
                "premises_id",
                "building_id",
                "resource",
                "serial_number",
                "installed_on",
                "verification_due",
                "digits_before",
                "initial_value",
            )
        )
        self.meters = {m["id"]: m for m in meters}
        self.premises_meters: dict[tuple[int, str], list[dict]] = defaultdict(list)
        self.house_meters: dict[tuple[int, str], dict] = {}
        for m in meters:
            if m["premises_id"]:
                self.premises_meters[(m["premises_id"], m["resource"])].append(m)
            else:
                self.house_meters[(m["building_id"], m["resource"])] = m
        self.readings = self._load_readings()

    def _load_readings(self, meter_ids: list[int] | None = None) -> dict[int, list[tuple[dt.date, Decimal]]]:
        """Real accepted readings per meter, ascending, of the last 10 months (6 of average + 3 estimated + this
        one); a meter silent for longer gets its last earlier reading from one more query. Of the organisation's
        meters, or of `meter_ids` only (the SQL close leaves only a few meters to this engine)."""
        since = add_months(self.month, -10)
        by_meter: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        of_meters = (
            Q(meter_id__in=meter_ids)
            if meter_ids is not None
            else Q(meter__premises__building__organisation=self.org) | Q(meter__building__organisation=self.org)
        )
        rows = (
            Reading.objects.filter(
                of_meters,
                period__gte=since,
                period__lte=self.month,
                is_current=True,
                status=Reading.Status.ACCEPTED,
            )
            .exclude(channel=Reading.Channel.ESTIMATE)
            .order_by("meter_id", "period")
            .values_list("meter_id", "period", "value")
        )
        for meter_id, p, value in rows.iterator(chunk_size=BATCH):
            by_meter[meter_id].append((p, value))
        silent = [mid for mid in self.meters if not any(p < self.month for p, _ in by_meter.get(mid, []))]
        for start in range(0, len(silent), BATCH):
            chunk = silent[start : start + BATCH]
            older = (
                Reading.objects.filter(
                    meter_id__in=chunk, period__lt=since, is_current=True, status=Reading.Status.ACCEPTED
                )
                .exclude(channel=Reading.Channel.ESTIMATE)
                .order_by("meter_id", "-period")
                .distinct("meter_id")
                if connection.vendor == "postgresql"
                else None
            )
            if older is None:
                last: dict[int, tuple[dt.date, Decimal]] = {}
                for meter_id, p, value in (
                    Reading.objects.filter(
                        meter_id__in=chunk, period__lt=since, is_current=True, status=Reading.Status.ACCEPTED
                    )
                    .exclude(channel=Reading.Channel.ESTIMATE)
                    .order_by("meter_id", "period")
                    .values_list("meter_id", "period", "value")
                ):
                    last[meter_id] = (p, value)
            else:
                last = {r.meter_id: (r.period, r.value) for r in older}
            for meter_id, reading in last.items():
                by_meter[meter_id].insert(0, reading)
        return by_meter

    def _norm_volume(self, service: Service, account: AccountRow) -> Decimal | None:
        norm = self.norms.get(service.pk)
        if norm is None:
            return None
        quantity = account.area if norm.basis == Norm.Basis.PER_M2 else Decimal(account.residents)
        return calc.norm_volume(norm.value, quantity)

    def _real_readings(self, meter: dict) -> list[tuple[dt.date, Decimal]]:
        """The meter's readings that count: none from a month its verification had expired in; the
        installation value first, as the reading of the installation month."""
        valid = [(p, v) for p, v in self.readings.get(meter["id"], []) if month_end(p) <= meter["verification_due"]]
        installed = month_start(meter["installed_on"])
        return [(installed, meter["initial_value"])] + [(p, v) for p, v in valid if p > installed]

    def run(self) -> tuple[list[tuple], list[Recalculation]]:
        self.load()
        self.charges: list[tuple] = []
        self.recalcs: list[Recalculation] = []
        # Base volumes (before the multiplying factor) by account and resource, for sewerage and common-house.
        self.volumes: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        self.bases: dict[tuple[int, str], set[str]] = defaultdict(set)
        self.gap_checks: list[tuple[AccountRow, Service, dict, list[Decimal], dt.date]] = []
        first = [s for s in self.services if s.method not in (Service.Method.SEWERAGE, Service.Method.COMMON_HOUSE)]
        second = [s for s in self.services if s.method in (Service.Method.SEWERAGE, Service.Method.COMMON_HOUSE)]
        total = len(self.accounts)
        for done, account in enumerate(self.accounts, 1):
            for service in first:
                if (account.id, service.pk) not in self.off:
                    self._charge_individual(account, service)
            if self.progress and (done % 1000 == 0 or done == total):
                self.progress(done // 2, total)
        house_individual: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for account in self.accounts:
            for resource in Resource.values:
                volume = self.volumes.get((account.id, resource))
                if volume:
                    house_individual[(account.building_id, resource)] += volume
        self.house_individual = house_individual
        for done, account in enumerate(self.accounts, 1):
            for service in second:
                if (account.id, service.pk) in self.off:
                    continue
                if service.method == Service.Method.SEWERAGE:
                    self._charge_sewerage(account, service)
                else:
                    self._charge_common(account, service)
            if self.progress and (done % 1000 == 0 or done == total):
                self.progress(total // 2 + done // 2 if done < total else total, total)
        self._recalculate_gaps()
        return self.charges, self.recalcs

    def _add(
        self,
        account: AccountRow,
        service: Service,
        basis: str,
        line: calc.Line,
        price,
        *,
        meter_id=None,
        previous_value=None,
        current_value=None,
        factor=None,
        house_volume=None,
    ) -> None:
        # Plain tuples in CHARGE_COLUMNS order: a model instance per line costs more than the arithmetic.
        self.charges.append(
            (
                account.id,
                self.period.pk,
                service.pk,
                meter_id,
                basis,
                previous_value,
                current_value,
                line.volume,
                price,
                factor,
                line.factor_excess,
                line.amount,
                house_volume,
            )
        )

    def _charge_individual(self, account: AccountRow, service: Service) -> None:
        tariff = self.tariffs.get(service.pk)
        if tariff is None:
            self.skipped[f"нет тарифа: {service.name}"] += 1
            return
        price = tariff.price
        method = service.method
        if method == Service.Method.AREA:
            self._add(account, service, Charge.Basis.AREA, calc.charge_line(account.area, price), price)
        elif method == Service.Method.FIXED:
            self._add(account, service, Charge.Basis.FIXED, calc.charge_line(Decimal(1), price), price)
        elif method == Service.Method.NORM:
            volume = self._norm_volume(service, account)
            if volume is None:
                self.skipped[f"нет норматива: {service.name}"] += 1
                return
            self._add(account, service, Charge.Basis.NORM, calc.charge_line(volume, price), price)
            self._remember(account, service, volume, Charge.Basis.NORM)
        elif method == Service.Method.METER:
            meters = self.premises_meters.get((account.premises_id, service.resource), [])
            if not meters:
                self._charge_without_meter(account, service, price)
            for meter in meters:
                self._charge_meter(account, service, meter, price)

    def _remember(self, account: AccountRow, service: Service, volume: Decimal, basis: str) -> None:
        if service.resource:
            self.volumes[(account.id, service.resource)] += volume
            self.bases[(account.id, service.resource)].add(basis)

    def _charge_without_meter(self, account: AccountRow, service: Service, price: Decimal) -> None:
        volume = self._norm_volume(service, account)
        if volume is None:
            self.skipped[f"нет норматива: {service.name}"] += 1
            return
        factor = self.org.multiplying_factor
        if calc.factor_applies(service_allows=service.multiplying_factor_applies, has_meter=False) and factor != 1:
            line = calc.charge_line(volume, price, factor)
            self._add(account, service, Charge.Basis.NORM_FACTOR, line, price, factor=factor)
            self._remember(account, service, volume, Charge.Basis.NORM_FACTOR)
        else:
            self._add(account, service, Charge.Basis.NORM, calc.charge_line(volume, price), price)
            self._remember(account, service, volume, Charge.Basis.NORM)

    def _charge_meter(self, account: AccountRow, service: Service, meter: dict, price: Decimal) -> None:
        real = self._real_readings(meter)
        capacity = Decimal(10) ** meter["digits_before"]
        current = real[-1] if real[-1][0] == self.month else None
        expired = meter["verification_due"] < self.end
        if current is not None and len(real) > 1 and not (expired and current[1] != meter["initial_value"]):
            previous = real[-2]
            total = calc.metered_volume(previous[1], current[1], capacity)
            gap = calc.month_index(self.month) - calc.month_index(previous[0])
            parts = calc.split_gap(total, gap) if gap > 1 else [total]
            if gap > 1:
                self.gap_checks.append((account, service, meter, parts[:-1], previous[0]))
            volume = parts[-1]
            line = calc.charge_line(volume, price)
            self._add(
                account,
                service,
                Charge.Basis.METER,
                line,
                price,
                meter_id=meter["id"],
                previous_value=previous[1],
                current_value=current[1],
            )
            self._remember(account, service, volume, Charge.Basis.METER)
            return
        if current is not None:
            # Installed this month: nothing measured yet.
            line = calc.charge_line(ZERO, price)
            self._add(account, service, Charge.Basis.METER, line, price, meter_id=meter["id"])
            return
        last = real[-1]
        without = calc.month_index(self.month) - calc.month_index(last[0])
        norm = self._norm_volume(service, account)
        average = calc.average_monthly_volume(real, capacity)
        if norm is None and average is None:
            self.skipped[f"нет норматива: {service.name}"] += 1
            return
        estimate = calc.estimated_volume(periods_without_reading=without, average=average, norm_volume=norm or ZERO)
        if estimate.basis == "norm" and norm is None:
            self.skipped[f"нет норматива: {service.name}"] += 1
            return
        basis = Charge.Basis.AVERAGE if estimate.basis == "average" else Charge.Basis.NORM
        line = calc.charge_line(estimate.volume, price)
        self._add(account, service, basis, line, price, meter_id=meter["id"], previous_value=last[1])
        self._remember(account, service, estimate.volume, basis)

    def _charge_sewerage(self, account: AccountRow, service: Service) -> None:
        tariff = self.tariffs.get(service.pk)
        if tariff is None:
            self.skipped[f"нет тарифа: {service.name}"] += 1
            return
        keys = [(account.id, r) for r in WATER]
        if not any(k in self.volumes for k in keys):
            volume = self._norm_volume(service, account)
            if volume is None:
                return
            self._add(account, service, Charge.Basis.NORM, calc.charge_line(volume, tariff.price), tariff.price)
            return
        volume = calc.sewerage_volume(self.volumes.get(keys[0], ZERO), self.volumes.get(keys[1], ZERO))
        bases = self.bases.get(keys[0], set()) | self.bases.get(keys[1], set())
        if bases & {Charge.Basis.NORM, Charge.Basis.NORM_FACTOR}:
            basis = Charge.Basis.NORM
        elif Charge.Basis.AVERAGE in bases:
            basis = Charge.Basis.AVERAGE
        else:
            basis = Charge.Basis.METER
        self._add(account, service, basis, calc.charge_line(volume, tariff.price), tariff.price)

    def _charge_common(self, account: AccountRow, service: Service) -> None:
        tariff = self.tariffs.get(service.pk)
        norm = self.norms.get(service.pk)
        building = self.buildings[account.building_id]
        if tariff is None:
            self.skipped[f"нет тарифа: {service.name}"] += 1
            return
        total_area, common_area = building["total_area"], building["common_area"]
        by_norm = (
            calc.common_house_by_norm(norm.value, common_area, account.area, total_area) if norm is not None else None
        )
        house_volume = self._house_common_volume(account.building_id, service.resource)
        if house_volume is not None:
            volume = calc.common_house_by_meter(
                house_volume=house_volume,
                individual_total=self.house_individual.get((account.building_id, service.resource), ZERO),
                premises_area=account.area,
                total_area=total_area,
                cap=by_norm if service.common_house_capped else None,
            )
            common = max(house_volume - self.house_individual.get((account.building_id, service.resource), ZERO), ZERO)
        elif by_norm is not None:
            volume = by_norm
            common = calc.round_volume(norm.value * common_area)
        else:
            self.skipped[f"нет норматива: {service.name}"] += 1
            return
        line = calc.charge_line(volume, tariff.price)
        self._add(account, service, Charge.Basis.COMMON_HOUSE, line, tariff.price, house_volume=common)

    def _house_common_volume(self, building_id: int, resource: str) -> Decimal | None:
        """The house meter's volume of the month, when it has this month's and last month's readings."""
        cache = self.__dict__.setdefault("_house_cache", {})
        key = (building_id, resource)
        if key not in cache:
            meter = self.house_meters.get(key)
            value = None
            if meter is not None:
                real = dict(self._real_readings(meter))
                now, before = real.get(self.month), real.get(add_months(self.month, -1))
                if now is not None and before is not None:
                    value = calc.metered_volume(before, now, Decimal(10) ** meter["digits_before"])
            cache[key] = value
        return cache[key]

    def _recalculate_gaps(self) -> None:
        """A real reading after estimated months: each estimated month's charge is recalculated to its equal
        share of the metered volume (доначисление or снятие), booked in this period with the reason."""
        if not self.gap_checks:
            return
        meter_ids = {meter["id"] for _, _, meter, _, _ in self.gap_checks}
        earliest = min(since for *_, since in self.gap_checks)
        earlier = {}
        for charge in Charge.objects.filter(
            meter_id__in=meter_ids,
            period__organisation=self.org,
            period__month__gt=earliest,
            period__month__lt=self.month,
        ).select_related("period"):
            earlier[(charge.account_id, charge.service_id, charge.meter_id, charge.period.month)] = charge
        for account, service, meter, shares, since in self.gap_checks:
            for offset, share in enumerate(shares, 1):
                corrected = add_months(since, offset)
                charge = earlier.get((account.id, service.pk, meter["id"], corrected))
                if charge is None or charge.basis == Charge.Basis.METER:
                    continue
                delta = share - charge.volume
                amount = calc.round_money(delta * charge.price)
                if not amount and not delta:
                    continue
                self.recalcs.append(
                    Recalculation(
                        account_id=account.id,
                        period=self.period,
                        corrected_period_id=charge.period_id,
                        service=service,
                        meter_id=meter["id"],
                        kind=Recalculation.Kind.READINGS,
                        volume=delta,
                        amount=amount,
                        reason=(
                            f"{service.name}, прибор № {meter['serial_number']}: за {month_label(corrected)} "
                            f"начислено {charge.volume.normalize():f} {service.unit} "
                            f"({charge.get_basis_display()}), по показаниям {share.normalize():f} {service.unit}"
                        ),
                    )
                )


# --- penalties ---


def _rates() -> list[calc.Rate]:
    return [
        calc.Rate(r.valid_from, r.valid_to, r.rate, r.moratorium) for r in PenaltyRate.objects.order_by("valid_from")
    ]


def _penalties(period: BillingPeriod, earlier: BillingPeriod | None) -> list[Penalty]:
    """Penalties accrued up to the period's last day on debt of earlier periods, less those charged before.

    Only accounts that owed something at the end of the previous period can accrue more: a debt settled by then
    stopped accruing, and its penalty was charged in the periods it accrued in.
    """
    if earlier is None:
        return []
    org = period.organisation
    last = AccountBalance.objects.filter(period=earlier, closing__gt=0)
    # The previous period's own charges fall due during this month (the 10th or 15th): their day 31 is next
    # month's. So only debt older than that can accrue now: what was owed before the previous period, less what
    # was paid in it (payments settle the oldest debt first).
    before = BillingPeriod.objects.filter(organisation=org, month__lt=earlier.month).order_by("-month").first()
    if before is None:
        debtors = list(last.filter(opening__gt=0).values_list("account_id", flat=True))
    else:
        old = dict(AccountBalance.objects.filter(period=before, closing__gt=0).values_list("account_id", "closing"))
        debtors = [a for a, paid in last.values_list("account_id", "paid") if old.get(a, ZERO) > paid] if old else []
    # A payment cancelled since brings its debt back, whatever the balances said.
    debtors = sorted(
        set(debtors)
        | set(
            LedgerEntry.objects.filter(
                period__in=[earlier, period], kind=LedgerEntry.Kind.PAYMENT, amount__lt=0
            ).values_list("account_id", flat=True)
        )
    )
    if not debtors:
        return []
    rates = _rates()
    as_of = month_end(period.month)
    penalties: list[Penalty] = []
    for start in range(0, len(debtors), BATCH):
        chunk = debtors[start : start + BATCH]
        debts: dict[int, list[calc.Debt]] = defaultdict(list)
        credits: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        first_seen: set[int] = set()
        for row in (
            AccountBalance.objects.filter(
                account_id__in=chunk, period__organisation=org, period__month__lt=period.month
            )
            .order_by("period__month")
            .values("account_id", "period__month", "opening", "charged", "recalculated")
        ):
            account_id, p_month = row["account_id"], row["period__month"]
            if account_id not in first_seen:
                first_seen.add(account_id)
                # A balance brought in from before the engine's history: due as if it were the month before.
                if row["opening"] > 0:
                    before = add_months(p_month, -1)
                    debts[account_id].append(calc.Debt(before, org.due_date(before), row["opening"]))
                elif row["opening"] < 0:
                    credits[account_id].append((p_month, -row["opening"]))
            amount = row["charged"] + row["recalculated"]
            if amount > 0:
                debts[account_id].append(calc.Debt(p_month, org.due_date(p_month), amount))
            elif amount < 0:
                credits[account_id].append((p_month, -amount))
        payments: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        rows = list(
            LedgerEntry.objects.filter(
                account_id__in=chunk, kind=LedgerEntry.Kind.PAYMENT, occurred_on__lte=as_of
            ).values_list("account_id", "occurred_on", "amount", "source", "source_id")
        )
        # A cancelled payment (a negative entry "cancel:<id>") never settled anything: both are left out.
        cancelled = {(src, sid.removeprefix("cancel:")) for _, _, amount, src, sid in rows if amount < 0}
        for account_id, day, amount, src, sid in rows:
            if amount > 0 and (src, sid) not in cancelled:
                payments[account_id].append((day, amount))
        charged_before = _sums(Penalty.objects.filter(account_id__in=chunk, period__month__lt=period.month))
        for account_id in chunk:
            total, lines = calc.penalties_accrued(
                debts.get(account_id, []), credits.get(account_id, []) + payments.get(account_id, []), as_of, rates
            )
            amount = total - (charged_before.get(account_id) or ZERO)
            if amount:
                basis = "\n".join([*lines, f"Начислено ранее: {charged_before.get(account_id) or ZERO} ₽"])
                penalties.append(Penalty(account_id=account_id, period=period, amount=amount, basis=basis))
    return penalties


# --- balances ---


def _sums(queryset, field: str = "amount") -> dict[int, Decimal]:
    # Rounded because SQLite sums decimals as floats.
    rows = queryset.values("account_id").annotate(total=Sum(field)).values_list("account_id", "total")
    return {account_id: calc.round_money(total) for account_id, total in rows}


def _build_balances(period: BillingPeriod) -> None:
    """Rebuild the period's balance rows from its charges, recalculations, penalties and the payments in the
    ledger; the opening is the previous period's closing. Set-based: five aggregate queries."""
    org = period.organisation
    previous = BillingPeriod.objects.filter(organisation=org, month__lt=period.month).order_by("-month").first()
    if connection.vendor == "postgresql":
        AccountBalance.objects.filter(period=period).delete()
        sql_close.build_balances(period, previous)
        figures.organisation_figures_bump(org.pk)
        return
    opening = (
        dict(AccountBalance.objects.filter(period=previous).values_list("account_id", "closing")) if previous else {}
    )
    charged = _sums(Charge.objects.filter(period=period))
    recalculated = _sums(Recalculation.objects.filter(period=period))
    penalties = _sums(Penalty.objects.filter(period=period))
    paid = _sums(LedgerEntry.objects.filter(period=period, kind=LedgerEntry.Kind.PAYMENT))
    active = set(
        PersonalAccount.objects.filter(organisation=org, opened_on__lte=month_end(period.month))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.month))
        .values_list("id", flat=True)
    )
    accounts = active | {a for a, v in opening.items() if v} | set(charged) | set(recalculated) | set(paid)
    accounts |= set(penalties)
    AccountBalance.objects.filter(period=period).delete()
    rows = []
    for account_id in sorted(accounts):
        values = {
            "opening": opening.get(account_id, ZERO),
            "charged": charged.get(account_id, ZERO),
            "recalculated": recalculated.get(account_id, ZERO),
            "penalties": penalties.get(account_id, ZERO),
            "paid": paid.get(account_id, ZERO),
        }
        rows.append((account_id, period.pk, *values.values(), calc.closing_balance(**values)))
    insert_rows(AccountBalance, BALANCE_COLUMNS, rows)
    figures.organisation_figures_bump(org.pk)


def _refresh_account_balances(account: PersonalAccount, since: dt.date) -> None:
    """One account's balances from a month on, after a payment or a recalculation: the chain of openings."""
    figures.accounts_figures_bump([account.pk])  # its debt changes even when no balance row does
    rows = list(
        AccountBalance.objects.filter(account=account, period__month__gte=since)
        .select_related("period")
        .order_by("period__month")
    )
    if not rows:
        return
    before = (
        AccountBalance.objects.filter(account=account, period__month__lt=rows[0].period.month)
        .order_by("-period__month")
        .values_list("closing", flat=True)
        .first()
    )
    opening = before if before is not None else ZERO
    for row in rows:
        p = row.period
        row.opening = opening
        row.recalculated = _sums(Recalculation.objects.filter(account=account, period=p)).get(account.pk, ZERO)
        row.paid = _sums(LedgerEntry.objects.filter(account=account, period=p, kind=LedgerEntry.Kind.PAYMENT)).get(
            account.pk, ZERO
        )
        row.closing = calc.closing_balance(row.opening, row.charged, row.recalculated, row.penalties, row.paid)
        row.save(update_fields=["opening", "recalculated", "paid", "closing"])
        opening = row.closing


# --- the ledger's entry points ---


def ledger_post_payment(
    *, account: PersonalAccount, amount: Decimal, paid_on: dt.date, source: str, external_id: str
) -> tuple[LedgerEntry, bool]:
    """Credit a payment to the account in the period of its date. Posting the same payment (source and external
    id) again returns the first entry and changes nothing. Returns (entry, created)."""
    if amount <= 0:
        raise BillingError("Сумма оплаты должна быть положительной.")
    key = f"payment:{source}:{external_id}"
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing:
            return existing, False
        period, _ = BillingPeriod.objects.get_or_create(
            organisation_id=account.organisation_id, month=month_start(paid_on)
        )
        entry = LedgerEntry.objects.create(
            account=account,
            period=period,
            kind=LedgerEntry.Kind.PAYMENT,
            amount=calc.round_money(Decimal(amount)),
            occurred_on=paid_on,
            source=source,
            source_id=external_id,
            idempotency_key=key,
        )
        _refresh_account_balances(account, period.month)
    return entry, True


def ledger_reverse_payment(
    *, account: PersonalAccount, amount: Decimal, source: str, external_id: str, on: dt.date | None = None
) -> tuple[LedgerEntry, bool]:
    """Cancel a posted payment: a negative payment entry in the period of `on` (the organisation's today by
    default), never an edit of the original. Idempotent by source and external id. Returns (entry, created)."""
    key = f"payment-cancel:{source}:{external_id}"
    on = on or account.organisation.today()
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing:
            return existing, False
        period, _ = BillingPeriod.objects.get_or_create(organisation_id=account.organisation_id, month=month_start(on))
        entry = LedgerEntry.objects.create(
            account=account,
            period=period,
            kind=LedgerEntry.Kind.PAYMENT,
            amount=-calc.round_money(Decimal(amount)),
            occurred_on=on,
            source=source,
            source_id=f"cancel:{external_id}",
            idempotency_key=key,
        )
        _refresh_account_balances(account, period.month)
    return entry, True


def _unpublished_period(organisation: Organisation) -> BillingPeriod:
    """Where a correction made today is booked: this month's period, or the next one once it is published."""
    month = month_start(organisation.today())
    while True:
        period, _ = BillingPeriod.objects.get_or_create(organisation=organisation, month=month)
        if period.state != State.PUBLISHED:
            return period
        month = add_months(month, 1)


def recalculation_create(
    *,
    account: PersonalAccount,
    corrected_period: BillingPeriod,
    reason: str,
    amount: Decimal | None = None,
    volume: Decimal | None = None,
    service: Service | None = None,
    period: BillingPeriod | None = None,
    actor=None,
) -> Recalculation:
    """An operator's перерасчёт: a signed amount, or a volume valued at the corrected period's tariff."""
    if not reason.strip():
        raise BillingError("Укажите основание перерасчёта.")
    if (amount is None) == (volume is None):
        raise BillingError("Укажите либо сумму, либо объём перерасчёта.")
    with transaction.atomic():
        booked = period or _unpublished_period(account.organisation)
        booked = BillingPeriod.objects.select_for_update().get(pk=booked.pk)
        if booked.state == State.PUBLISHED:
            raise BillingError(f"Период {month_label(booked.month)} опубликован: перерасчёт — в следующем периоде.")
        if volume is not None:
            if service is None:
                raise BillingError("Для перерасчёта объёма укажите услугу.")
            tariff = _dated(Tariff, [service], corrected_period.month).get(service.pk)
            if tariff is None:
                raise BillingError(f"Нет тарифа услуги «{service}» за {month_label(corrected_period.month)}.")
            amount = calc.round_money(Decimal(volume) * tariff.price)
        recalculation = Recalculation.objects.create(
            account=account,
            period=booked,
            corrected_period=corrected_period,
            service=service,
            kind=Recalculation.Kind.OPERATOR,
            volume=volume,
            amount=calc.round_money(Decimal(amount)),
            reason=reason.strip(),
            created_by=actor,
        )
        _refresh_account_balances(account, booked.month)
    return recalculation


# --- the schedule ---


def schedule_run(*, today: dt.date | None = None, organisations=None, progress: Progress | None = None) -> list[str]:
    """For each organisation, what is due on its local today: on the last day of a month its readings close and
    it is calculated; from the receipt issue day of the next month it is published. Missed days catch up."""
    done: list[str] = []
    for org in organisations or Organisation.objects.all():
        local_today = today or org.today()
        previous = add_months(month_start(local_today), -1)
        prev_period = BillingPeriod.objects.filter(organisation=org, month=previous).first()
        target = "publish" if local_today.day >= org.receipt_issue_day else "calculate"
        behind = prev_period is None or _rank(prev_period.state) < STEPS.index(target) + 1
        if behind and (prev_period is not None or _has_accounts(org)):
            _run_until(org, previous, target, progress)
            done.append(f"{org.code} {previous:%Y-%m} → {target}")
        if local_today == month_end(local_today):
            current = month_start(local_today)
            _run_until(org, current, "calculate", progress)
            done.append(f"{org.code} {current:%Y-%m} → calculate")
    return done


def _has_accounts(org: Organisation) -> bool:
    return PersonalAccount.objects.filter(organisation=org).exists()


def _run_until(org: Organisation, month: dt.date, last_step: str, progress) -> None:
    for name in STEPS[: STEPS.index(last_step) + 1]:
        period_close(organisation=org, month=month, step=name, progress=progress)
