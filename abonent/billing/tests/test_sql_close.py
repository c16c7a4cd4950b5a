"""The set-based close (sql_close, PostgreSQL) against the Python rules (calculations.py through engine.Engine):
random registers with every method and its corners — two meters of one resource, meters installed during the
months, counter rollovers, expired verification, closed meters and accounts, months without readings (average,
then норматив, then a recalculation by the late reading), rejected and estimated readings, house meters capped or
not, a building without its total area, services without a норматив or a tariff, a tariff change, no residents,
services an account does not receive (some for good, some ending or starting mid-month, so sewerage counts only the
water charged and the ОДН of a resource the account does not receive goes), tariffs changed mid-month or starting
mid-month, accounts opened and closed mid-month (proration by days) — closed month after month; every charge line
the SQL wrote must be the line the Python engine computes, to the kopeck and the sixth decimal of the volume."""

import datetime as dt
import random
from decimal import Decimal as D

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from abonent.billing import cycle
from abonent.billing.engine import CHARGE_COLUMNS, Engine
from abonent.billing.models import AccountBalance, BillingPeriod, Charge, Norm, Recalculation, Service
from abonent.housing.models import PersonalAccount
from abonent.metering.models import Meter, Reading, Resource
from abonent.orgs.dates import add_months
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
M = Service.Method
JANUARY = dt.date(2026, 1, 1)
MONTHS = 8


def service(org, code, method, price, resource="", norm=None, basis=Norm.Basis.PER_RESIDENT, **kwargs):
    svc = f.ServiceFactory(organisation=org, code=code, name=code, method=method, resource=resource, **kwargs)
    if price is not None:
        f.TariffFactory(service=svc, valid_from=dt.date(2025, 1, 1), valid_to=None, price=D(price))
    if norm is not None:
        f.NormFactory(service=svc, value=D(norm), basis=basis)
    return svc


def register(seed: int):
    """A random organisation: 3 buildings, about 30 accounts, 12 services, meters and 8 months of readings."""
    rnd = random.Random(seed)
    org = f.OrganisationFactory(multiplying_factor=D(rnd.choice(["1.50", "1.00", "1.10"])))
    # its own random source, so that the rest of the register is the same whatever the tariffs' dates
    dates = random.Random(seed * 104729)
    cold = service(org, "cold", M.METER, None, Resource.COLD_WATER, norm="4.85")
    changing(cold, dates, ["45.27", "47.1135", "48.02"])
    service(org, "hot", M.METER, "210.10", Resource.HOT_WATER, norm="3.5")
    service(org, "power", M.METER, "6.57", Resource.ELECTRICITY)  # no норматив: the average or nothing
    changing(
        service(org, "sewer", M.SEWERAGE, None, norm="8.35", multiplying_factor_applies=False), dates, ["30.12", "31.7"]
    )
    heat = service(org, "heat", M.NORM, None, Resource.HEAT, norm="0.0205", basis=Norm.Basis.PER_M2)
    changing(heat, dates, ["2500.00", "2611.37"])
    service(org, "gas", M.NORM, "9.13", Resource.GAS, norm="11.3")
    changing(service(org, "upkeep", M.AREA, None), dates, ["28.45", "30.01", "31.333"])
    changing(service(org, "intercom", M.FIXED, None), dates, ["55.005", "57.50"])
    odn_cold = service(org, "odn_cold", M.COMMON_HOUSE, None, Resource.COLD_WATER, norm="0.03", basis=Norm.Basis.PER_M2)
    # a tariff that starts mid-month with none before it: the days before are not charged
    start = dt.date(2026, dates.randint(1, 3), dates.randint(2, 28))
    f.TariffFactory(service=odn_cold, valid_from=start, valid_to=None, price=D("45.27"))
    odn = {"basis": Norm.Basis.PER_M2, "common_house_capped": False}
    service(org, "odn_hot", M.COMMON_HOUSE, "210.10", Resource.HOT_WATER, norm="0.011", **odn)
    service(org, "odn_power", M.COMMON_HOUSE, "6.57", Resource.ELECTRICITY)  # neither норматив nor house meter
    service(org, "untariffed", M.AREA, None)
    service(org, "inactive", M.FIXED, "99", is_active=False)

    meters = []
    for number, total in enumerate([D("3000.00"), D("0"), D("1234.56")]):
        building = f.BuildingFactory(
            organisation=org, total_area=total, common_area=D(rnd.choice(["600", "0", "85.5"]))
        )
        for resource, digits in [(Resource.COLD_WATER, 7), (Resource.HOT_WATER, 6)][: 2 - number % 2]:
            meters.append(f.MeterFactory(premises=None, building=building, resource=resource, digits_before=digits))
        for _ in range(rnd.randint(7, 11)):
            premises = f.PremisesFactory(
                building=building,
                total_area=D(rnd.randint(1800, 9999)) / 100,
                residents=rnd.choice([0, 1, 2, 2, 3, 5]),
            )
            opened, closed = dt.date(2020, 1, 1), None
            if rnd.random() < 0.1:
                opened = add_months(JANUARY, rnd.randint(1, 5)).replace(day=rnd.randint(1, 28))
            if rnd.random() < 0.1:
                closed = add_months(JANUARY, rnd.randint(1, 6)).replace(day=rnd.randint(1, 28))
            f.PersonalAccountFactory(premises=premises, organisation=org, opened_on=opened, closed_on=closed)
            if rnd.random() < 0.1:  # a second account on the same premises
                f.PersonalAccountFactory(premises=premises, organisation=org)
            for resource, count in [
                (Resource.COLD_WATER, rnd.choice([0, 1, 1, 2])),
                (Resource.HOT_WATER, rnd.choice([0, 1, 1])),
                (Resource.ELECTRICITY, rnd.choice([0, 1])),
            ]:
                for _ in range(count):
                    meters.append(meter_in(premises, resource, rnd))
    for meter in meters:
        readings_of(meter, rnd)
    # Its own random source, so that the rest of the register is the same with or without the exclusions.
    services_off(org, random.Random(seed * 7919))
    return org


def changing(svc, rnd, prices):
    """Tariffs of a service changing within the months closed: the first change mid-month, a later one sometimes
    on the 1st."""
    since = dt.date(2025, 1, 1)
    parts = len(prices) - 1
    for number, price in enumerate(prices):
        until = None
        if number < parts:
            month = add_months(JANUARY, rnd.randint(number * MONTHS // parts, (number + 1) * MONTHS // parts - 1))
            days = [9, 14, 15, 20, 27] if number == 0 else [1, 9, 15, 27]
            until = max(month.replace(day=rnd.choice(days)) - dt.timedelta(days=1), since)
        f.TariffFactory(service=svc, valid_from=since, valid_to=until, price=D(price))
        since = (until or since) + dt.timedelta(days=1)
    return svc


def services_off(org, rnd):
    """About a quarter of the accounts do not receive one or two services: from a month before or within the
    year, for good or until a day mid-year (then sometimes off again later), hot water and sewerage most often."""
    every = list(Service.objects.filter(organisation=org).order_by("code"))
    likely = [s for s in every if s.code in ("hot", "sewer", "cold", "heat")]
    # the first ones chosen surely cover the cases that matter most: hot water off, sewerage off
    forced = [[s for s in likely if s.code == code] for code in ("hot", "sewer")]
    for account in PersonalAccount.objects.filter(organisation=org).order_by("id"):
        if rnd.random() >= 0.25:
            continue
        chosen = {rnd.choice(likely if rnd.random() < 0.6 else every) for _ in range(rnd.randint(1, 2))}
        chosen |= set(forced.pop(0) if forced else [])
        for svc in sorted(chosen, key=lambda s: s.code):
            since = add_months(JANUARY, rnd.randint(-3, MONTHS - 1)).replace(day=rnd.choice([1, 1, 10, 28]))
            until = None
            if rnd.random() < 0.5:
                until = add_months(since, rnd.randint(0, 4)).replace(day=rnd.choice([5, 15, 28]))
                until = max(until, since)
            f.AccountServiceOffFactory(account=account, service=svc, since=since, until=until, reason="")
            if until is not None and rnd.random() < 0.4:  # off again from a later month
                again = add_months(until, rnd.randint(1, 3)).replace(day=1)
                f.AccountServiceOffFactory(account=account, service=svc, since=again, until=None, reason="")


def meter_in(premises, resource, rnd):
    installed = dt.date(2022, 3, 1)
    if rnd.random() < 0.25:
        installed = add_months(JANUARY, rnd.randint(0, MONTHS - 1)).replace(day=rnd.randint(1, 28))
    due = dt.date(2030, 1, 1)
    if rnd.random() < 0.15:
        due = max(
            add_months(JANUARY, rnd.randint(1, MONTHS)).replace(day=rnd.randint(1, 28)), installed + dt.timedelta(1)
        )
    status, closed = Meter.Status.ACTIVE, None
    if rnd.random() < 0.08:
        closed = max(add_months(JANUARY, rnd.randint(2, MONTHS)).replace(day=rnd.randint(1, 28)), installed)
    meter = f.MeterFactory(
        premises=premises,
        resource=resource,
        installed_on=installed,
        sealed_on=installed,
        verification_due=due,
        digits_before=rnd.choice([3, 5, 5, 8]),
        initial_value=D(rnd.randint(0, 99900)) / 100 if rnd.random() < 0.5 else D(0),
        closed_on=closed,
        status=status,
    )
    return meter


def readings_of(meter, rnd):
    """Readings from November 2024 to August 2026: mostly monthly, sometimes missing for a while, some meters
    silent for good from some month (more than the 10 months of history the average looks at)."""
    capacity = D(10) ** meter.digits_before
    value = meter.initial_value
    house = meter.building_id is not None
    silent_from = rnd.randint(-12, MONTHS) if rnd.random() < 0.2 else MONTHS
    for offset in range(-14, MONTHS):
        month = add_months(JANUARY, offset)
        value = (value + D(rnd.randint(0, 300_000 if house else 15_000)) / 1000) % capacity
        if offset < silent_from and rnd.random() < (0.95 if house else 0.7):
            channel = Reading.Channel.ESTIMATE if rnd.random() < 0.05 else Reading.Channel.PORTAL
            status = Reading.Status.REJECTED if rnd.random() < 0.05 else Reading.Status.PENDING
            if offset < 0:
                status = Reading.Status.ACCEPTED if status == Reading.Status.PENDING else status
            Reading.objects.create(
                meter=meter,
                period=month,
                value=value,
                submitted_at=dt.datetime(month.year, month.month, 20, 12, tzinfo=dt.UTC),
                channel=channel,
                status=status,
            )


def by_line(rows):
    """Charge lines keyed by account, service and meter; the rest compared as numbers (6.5 == 6.500000)."""
    lines = {}
    for row in rows:
        account, _, service_id, meter, *rest = row
        key = (account, service_id, meter)
        assert key not in lines, f"two lines for {key}"
        lines[key] = tuple(rest)
    return lines


def written(period):
    return by_line(Charge.objects.filter(period=period).values_list(*CHARGE_COLUMNS))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sql_close_writes_the_lines_of_the_python_rules(seed):
    if connection.vendor != "postgresql":
        pytest.skip("the SQL close runs on PostgreSQL; SQLite runs the Python engine itself")
    org = register(seed)
    methods = dict(Service.objects.filter(organisation=org).values_list("pk", "method"))
    bases = set()
    kinds_off, kinds_part, changed = set(), set(), set()
    for offset in range(MONTHS):
        month = add_months(JANUARY, offset)
        cycle.period_close(organisation=org, month=month, step="close_readings")
        period = cycle.period_close(organisation=org, month=month, step="calculate")
        engine = Engine(org, period, None)
        expected_charges, expected_recalcs = engine.run()
        got, expected = written(period), by_line(expected_charges)
        # what an account does not receive has no line in either engine
        assert not {(a, s) for a, s, _ in got} & engine.off
        kinds_off |= {methods[service_id] for _, service_id in engine.off}
        kinds_part |= {methods[service_id] for _, service_id in engine.days.part}
        changed |= {methods[sid] for sid, s in engine.days.standard.items() if s.rate != s.price * s.days}
        wrong = {
            k: (got.get(k), expected.get(k)) for k in got.keys() | expected.keys() if got.get(k) != expected.get(k)
        }
        assert not wrong, (
            f"{month:%Y-%m}: SQL vs Python, {len(wrong)} of {len(expected)} lines: {list(wrong.items())[:5]}"
        )
        recalcs = Recalculation.objects.filter(period=period, kind=Recalculation.Kind.READINGS)
        fields = ("account_id", "corrected_period_id", "service_id", "meter_id", "volume", "amount", "reason")
        assert sorted(recalcs.values_list(*fields)) == sorted(
            tuple(getattr(r, n) for n in fields) for r in expected_recalcs
        )
        # the balances: opening = the previous closing, and the identity
        for balance in AccountBalance.objects.filter(period=period):
            charged = sum((v[-2] for k, v in got.items() if k[0] == balance.account_id), D(0))
            assert balance.charged == charged
            assert (
                balance.closing == balance.opening + charged + balance.recalculated + balance.penalties - balance.paid
            )
        cycle.period_close(organisation=org, month=month, step="publish")
        bases |= {v[0] for v in got.values()}
    # the register did reach every kind of line
    assert bases >= {"meter", "average", "norm", "area", "fixed", "common_house"}
    # and the exclusions reached individual services, sewerage and common-house needs
    assert kinds_off >= {M.METER, M.SEWERAGE, M.COMMON_HOUSE}
    # and the proration by days reached every method: part of a month served, a tariff changed mid-month
    assert kinds_part >= {M.METER, M.SEWERAGE, M.COMMON_HOUSE, M.AREA, M.FIXED, M.NORM}
    assert changed >= {M.METER, M.SEWERAGE, M.AREA, M.FIXED, M.NORM}
    assert BillingPeriod.objects.filter(organisation=org, state="published").count() == MONTHS


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_others_while_the_step_runs():
    if connection.vendor != "postgresql":
        pytest.skip("the step's progress is written through a second connection on PostgreSQL")

    org = register(5)
    cycle.period_close(organisation=org, month=JANUARY, step="close_readings")
    observer = connections.create_connection(DEFAULT_DB_ALIAS)  # another session, as the back office would be
    seen = []

    def progress(done, total):
        with observer.cursor() as cursor:
            cursor.execute("SELECT done, total, status FROM billing_periodrun WHERE step = 'calculate'")
            seen.append((done, total, *cursor.fetchone()))

    try:
        cycle.period_close(organisation=org, month=JANUARY, step="calculate", progress=progress)
    finally:
        observer.close()
    assert len(seen) >= 2
    assert all(row[:2] == row[2:4] and row[4] == "running" for row in seen), seen
    assert seen[-1][0] == seen[-1][1] > 0
