"""The Python close: every charge line of one organisation's month, computed in memory.

The engine loads what the month needs in a few queries (accounts, buildings, meters, readings, tariffs and
нормативы in force) and applies the rules of calculations.py to each account: by area, a fixed sum, норматив
(× the multiplying factor without a meter), by meter (current − previous, the average then the норматив when there
is no reading, a reading after a gap shared over the gap and the estimated months recalculated), sewerage = cold +
hot, common-house needs; each for the days in force of the month (in_force.month_days: the account open, the
service received, a tariff in force; the volume split by days at each tariff). On SQLite it computes everything; on PostgreSQL the SQL close (sql_close) leaves it only
the meters read again after a gap. The rules are described in docs/BILLING.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from abonent.housing.models import Building, PersonalAccount
from abonent.lib.bulk import BATCH
from abonent.lib.numbers import volume as ru_volume
from abonent.metering.models import Meter, Reading, Resource
from abonent.orgs.dates import add_months, month_end, month_label, month_start
from abonent.orgs.models import Organisation

from . import calculations as calc
from .in_force import Served, in_force, month_days
from .models import BillingPeriod, Charge, Norm, Recalculation, Service, Tariff

ZERO = Decimal("0")
WATER = (Resource.COLD_WATER, Resource.HOT_WATER)

Progress = Callable[[int, int], None]

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


@dataclass
class AccountRow:
    id: int
    premises_id: int
    building_id: int
    area: Decimal
    residents: int


class Engine:
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
        self.tariffs = in_force(Tariff, self.services, month)
        self.norms = in_force(Norm, self.services, month)
        self.days = month_days(self.org, month, self.services)
        self.off = self.days.off
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
        """The month's charge lines (tuples in CHARGE_COLUMNS order) and recalculations by readings."""
        self.load()
        self.charges: list[tuple] = []
        self.recalcs: list[Recalculation] = []
        # Base volumes (before the multiplying factor) by account and resource, for sewerage and common-house.
        self.volumes: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        self.bases: dict[tuple[int, str], set[str]] = defaultdict(set)
        self.gap_checks: list[tuple[AccountRow, Service, dict, list[Decimal], dt.date]] = []
        # Sewerage and common-house needs are computed from the individual lines' volumes: they come second.
        derived = (Service.Method.SEWERAGE, Service.Method.COMMON_HOUSE)
        self._charge_all([s for s in self.services if s.method not in derived], self._charge_individual, 0)
        self.house_individual = self._house_individual()
        self._charge_all([s for s in self.services if s.method in derived], self._charge_derived, 1)
        self._recalculate_gaps()
        return self.charges, self.recalcs

    def _charge_all(self, services: list[Service], charge, half: int) -> None:
        """Charge every account the services it receives; the progress covers the first or the second half."""
        total = len(self.accounts)
        for done, account in enumerate(self.accounts, 1):
            for service in services:
                if (account.id, service.pk) not in self.off:
                    charge(account, service)
            if self.progress and (done % 1000 == 0 or done == total):
                if half == 0:
                    self.progress(done // 2, total)
                else:
                    self.progress(total // 2 + done // 2 if done < total else total, total)

    def _house_individual(self) -> dict[tuple[int, str], Decimal]:
        """The individual volumes by building and resource, which common-house needs subtract."""
        house_individual: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for account in self.accounts:
            for resource in Resource.values:
                volume = self.volumes.get((account.id, resource))
                if volume:
                    house_individual[(account.building_id, resource)] += volume
        return house_individual

    def _charge_derived(self, account: AccountRow, service: Service) -> None:
        if service.method == Service.Method.SEWERAGE:
            self._charge_sewerage(account, service)
        else:
            self._charge_common(account, service)

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

    def _served(self, account: AccountRow, service: Service) -> Served | None:
        """The days of the month the account is charged the service for (in_force.month_days); None: no tariff."""
        if self.tariffs.get(service.pk) is None:
            self.skipped[f"нет тарифа: {service.name}"] += 1
            return None
        return self.days.of(account.id, service.pk)

    def _prorated(self, volume: Decimal, served: Served) -> Decimal:
        return calc.prorated_volume(volume, served.days, self.days.total)

    def _charge_individual(self, account: AccountRow, service: Service) -> None:
        served = self._served(account, service)
        if served is None:
            return
        price, total = served.price, self.days.total
        method = service.method
        if method == Service.Method.AREA:
            line = calc.charge_line_by_days(account.area, served.rate, total)
            self._add(account, service, Charge.Basis.AREA, line, price)
        elif method == Service.Method.FIXED:
            line = calc.charge_line_by_days(Decimal(1), served.rate, total)
            self._add(account, service, Charge.Basis.FIXED, line, price)
        elif method == Service.Method.NORM:
            volume = self._norm_volume(service, account)
            if volume is None:
                self.skipped[f"нет норматива: {service.name}"] += 1
                return
            volume = self._prorated(volume, served)
            line = calc.charge_line_by_days(volume, served.rate, served.days)
            self._add(account, service, Charge.Basis.NORM, line, price)
            self._remember(account, service, volume, Charge.Basis.NORM)
        elif method == Service.Method.METER:
            meters = self.premises_meters.get((account.premises_id, service.resource), [])
            if not meters:
                self._charge_without_meter(account, service, served)
            for meter in meters:
                self._charge_meter(account, service, meter, served)

    def _remember(self, account: AccountRow, service: Service, volume: Decimal, basis: str) -> None:
        if service.resource:
            self.volumes[(account.id, service.resource)] += volume
            self.bases[(account.id, service.resource)].add(basis)

    def _charge_without_meter(self, account: AccountRow, service: Service, served: Served) -> None:
        volume = self._norm_volume(service, account)
        if volume is None:
            self.skipped[f"нет норматива: {service.name}"] += 1
            return
        volume, price = self._prorated(volume, served), served.price
        factor = self.org.multiplying_factor
        if calc.factor_applies(service_allows=service.multiplying_factor_applies, has_meter=False) and factor != 1:
            line = calc.charge_line_by_days(volume, served.rate, served.days, factor)
            self._add(account, service, Charge.Basis.NORM_FACTOR, line, price, factor=factor)
            self._remember(account, service, volume, Charge.Basis.NORM_FACTOR)
        else:
            line = calc.charge_line_by_days(volume, served.rate, served.days)
            self._add(account, service, Charge.Basis.NORM, line, price)
            self._remember(account, service, volume, Charge.Basis.NORM)

    def _charge_meter(self, account: AccountRow, service: Service, meter: dict, served: Served) -> None:
        """A meter's line: the measured volume (split by days at each tariff), or the estimate for the days
        served."""
        price = served.price
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
            line = calc.charge_line_by_days(volume, served.rate, served.days)
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
        volume = self._prorated(estimate.volume, served)
        line = calc.charge_line_by_days(volume, served.rate, served.days)
        self._add(account, service, basis, line, price, meter_id=meter["id"], previous_value=last[1])
        self._remember(account, service, volume, basis)

    def _charge_sewerage(self, account: AccountRow, service: Service) -> None:
        served = self._served(account, service)
        if served is None:
            return
        keys = [(account.id, r) for r in WATER]
        if not any(k in self.volumes for k in keys):
            volume = self._norm_volume(service, account)
            if volume is None:
                return
            volume = self._prorated(volume, served)
            line = calc.charge_line_by_days(volume, served.rate, served.days)
            self._add(account, service, Charge.Basis.NORM, line, served.price)
            return
        volume = calc.sewerage_volume(self.volumes.get(keys[0], ZERO), self.volumes.get(keys[1], ZERO))
        # The water is already for the days the account is open; sewerage off for some of them takes its share.
        volume = calc.prorated_volume(volume, served.days, self.days.open_days(account.id))
        bases = self.bases.get(keys[0], set()) | self.bases.get(keys[1], set())
        if bases & {Charge.Basis.NORM, Charge.Basis.NORM_FACTOR}:
            basis = Charge.Basis.NORM
        elif Charge.Basis.AVERAGE in bases:
            basis = Charge.Basis.AVERAGE
        else:
            basis = Charge.Basis.METER
        self._add(account, service, basis, calc.charge_line_by_days(volume, served.rate, served.days), served.price)

    def _charge_common(self, account: AccountRow, service: Service) -> None:
        served = self._served(account, service)
        norm = self.norms.get(service.pk)
        building = self.buildings[account.building_id]
        if served is None:
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
        volume = self._prorated(volume, served)
        line = calc.charge_line_by_days(volume, served.rate, served.days)
        self._add(account, service, Charge.Basis.COMMON_HOUSE, line, served.price, house_volume=common)

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
        share of the metered volume (доначисление or снятие), booked in this period with the reason; the
        sewerage of that month by the same volume difference, since sewerage = cold + hot over every span."""
        if not self.gap_checks:
            return
        earlier, sewerage = self._estimated_charges()
        for account, service, meter, shares, since in self.gap_checks:
            for offset, share in enumerate(shares, 1):
                corrected = add_months(since, offset)
                charge = earlier.get((account.id, service.pk, meter["id"], corrected))
                if charge is None or charge.basis == Charge.Basis.METER:
                    continue
                delta = share - charge.volume
                amount = self._recalc_amount(account, service, charge, delta)
                if not amount and not delta:
                    continue
                label = f"{service.name}, прибор № {meter['serial_number']}: за {month_label(corrected)}"
                reason = (
                    f"{label} начислено {ru_volume(charge.volume)} {service.unit} "
                    f"({charge.get_basis_display()}), по показаниям {ru_volume(share)} {service.unit}"
                )
                self._recalc(account, service, meter, charge, delta, amount, reason)
                if service.resource not in WATER or not delta:
                    continue
                for sewer in sewerage.get((account.id, corrected), []):
                    reason = f"{sewer.service.name} вслед за водой: {label} объём {'+' if delta > 0 else ''}{ru_volume(delta)} {service.unit}"
                    amount = self._recalc_amount(account, sewer.service, sewer, delta)
                    self._recalc(account, sewer.service, meter, sewer, delta, amount, reason)

    def _estimated_charges(self) -> tuple[dict, dict]:
        """The earlier charges the gaps correct: the meters' lines by (account, service, meter, month), and the
        sewerage lines of those accounts by (account, month)."""
        meter_ids = {meter["id"] for _, _, meter, _, _ in self.gap_checks}
        earliest = min(since for *_, since in self.gap_checks)
        months = Q(period__organisation=self.org, period__month__gt=earliest, period__month__lt=self.month)
        earlier = {}
        for charge in Charge.objects.filter(months, meter_id__in=meter_ids).select_related("period"):
            earlier[(charge.account_id, charge.service_id, charge.meter_id, charge.period.month)] = charge
        sewerage: dict[tuple[int, dt.date], list[Charge]] = defaultdict(list)
        accounts = {account.id for account, *_ in self.gap_checks}
        for charge in (
            Charge.objects.filter(months, account_id__in=accounts, service__method=Service.Method.SEWERAGE)
            .select_related("period", "service")
            .order_by("service_id")
        ):
            sewerage[(charge.account_id, charge.period.month)].append(charge)
        return earlier, sewerage

    def _recalc_amount(self, account: AccountRow, service: Service, charge: Charge, delta: Decimal) -> Decimal:
        """A volume difference of an earlier month valued as that month's line was: split by days at each tariff
        of the days it was charged for."""
        cache = self.__dict__.setdefault("_days_cache", {})
        month = charge.period.month
        if month not in cache:
            cache[month] = month_days(self.org, month, self.services)
        served = cache[month].of(account.id, service.pk)
        if served is None or not served.days:
            return calc.round_money(delta * charge.price)
        return calc.round_money(delta * served.rate / served.days)

    def _recalc(self, account, service, meter, charge: Charge, delta: Decimal, amount: Decimal, reason: str) -> None:
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
                reason=reason[:300],
            )
        )
