"""Benchmark: close one billing period (issue 5) for N accounts with 7 services each, on PostgreSQL.

    .venv/bin/python bench/billing.py [--accounts 10000 100000] [--url postgres://.../abonent_h6_bench]

Each size gets a freshly re-created database (the name must contain "bench": it is dropped), migrated, and a
register generated in SQL (INSERT … SELECT generate_series: buildings of 100 flats, cold water meters in 90 % of
flats and hot in 80 %, a house meter per building, readings for the last four months accepted and this month's
pending for 85 % of meters, so 15 % are charged by the average). Services: cold and hot water by meter (norm ×
residents × 1.5 without one), sewerage, heating by the m² норматив, upkeep by area, intercom fixed, common-house
cold water by the house meter capped at the норматив: 7 charge lines per account, more with two meters.

Timed: period_close of the month, all steps (readings close, calculate, publish), in-process, each until the call
returns (publish: with what still runs after its commit inside the call — the jobs queued — shown apart too);
then, separately, the background jobs the publish queues, run here in the foreground as a worker would: the
issued receipts' documents (receipts.documents) and the bank's debt registry (exchange.debt_registry). Baseline, in the
same run: a bare INSERT … SELECT that writes as many charge rows into an ordinary (logged) table shaped like
billing_charge (same columns and indexes, no foreign keys). Prints the times and the ratio.
"""

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_h6_bench"
MONTH = dt.date(2026, 10, 1)


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def recreate(url: str) -> None:
    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        sys.exit(f"Отказ: база «{name}» будет удалена, а в её имени нет «bench».")
    with psycopg.connect(libpq(base + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(accounts: int):
    """The register of one organisation, in SQL; returns the organisation."""
    from decimal import Decimal as D

    from django.db import connection

    from abonent.billing.models import Norm, Service
    from abonent.testing import factories as f

    org = f.OrganisationFactory(code="bench", readings_first_day=20, readings_last_day=25)
    buildings = (accounts + 99) // 100
    M = Service.Method

    def service(code, method, price, resource="", norm=None, basis=Norm.Basis.PER_RESIDENT, **kw):
        svc = Service.objects.create(
            organisation=org, code=code, name=code, unit="м³", method=method, resource=resource, **kw
        )
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
        if norm:
            f.NormFactory(service=svc, value=D(norm), basis=basis)

    service("cold", M.METER, "45.27", "cold_water", "4.85")
    service("hot", M.METER, "210.10", "hot_water", "3.5")
    service("sewer", M.SEWERAGE, "30.12", norm="8.35", multiplying_factor_applies=False)
    service("heat", M.NORM, "2500.00", "heat", "0.0205", Norm.Basis.PER_M2)
    service("upkeep", M.AREA, "28.45")
    service("intercom", M.FIXED, "55.00")
    service("odn", M.COMMON_HOUSE, "45.27", "cold_water", "0.03", Norm.Basis.PER_M2)
    months = [(-4, "accepted"), (-3, "accepted"), (-2, "accepted"), (-1, "accepted"), (0, "pending")]
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO housing_building (organisation_id, address, total_area, common_area)
               SELECT %s, 'Бенчмарк, д. ' || g, 0, 900 FROM generate_series(1, %s) g""",
            [org.pk, buildings],
        )
        cur.execute(
            """INSERT INTO housing_premises (building_id, number, kind, total_area, ownership, residents)
               SELECT b.id, g::text, 'flat', 30 + (b.id * 7 + g) %% 60, 'private', 1 + (b.id + g) %% 4
               FROM housing_building b CROSS JOIN generate_series(1, 100) g
               WHERE b.organisation_id = %s ORDER BY b.id, g LIMIT %s""",
            [org.pk, accounts],
        )
        cur.execute(
            "UPDATE housing_building b SET total_area = (SELECT sum(total_area) FROM housing_premises p "
            "WHERE p.building_id = b.id)"
        )
        cur.execute(
            """INSERT INTO housing_personalaccount (organisation_id, number, premises_id, payer_name, opened_on,
                   activation_code, els)
               SELECT %s, (7000000000 + p.id)::text, p.id, 'Абонент ' || p.id, DATE '2020-01-01', '', ''
               FROM housing_premises p""",
            [org.pk],
        )
        for resource, share in (("cold_water", 90), ("hot_water", 80)):
            cur.execute(
                """INSERT INTO metering_meter (premises_id, resource, serial_number, model_name, place, installed_on,
                       verification_due, digits_before, digits_after, initial_value, status)
                   SELECT p.id, %s, %s || p.id, '', '', DATE '2022-01-01', DATE '2030-01-01', 5, 3, 0, 'active'
                   FROM housing_premises p WHERE p.id %% 100 < %s""",
                [resource, resource[0], share],
            )
        cur.execute(
            """INSERT INTO metering_meter (building_id, resource, serial_number, model_name, place, installed_on,
                   verification_due, digits_before, digits_after, initial_value, status)
               SELECT b.id, 'cold_water', 'H' || b.id, '', '', DATE '2022-01-01', DATE '2030-01-01', 7, 3, 0, 'active'
               FROM housing_building b"""
        )
        for offset, status in months:
            month = MONTH.replace(month=MONTH.month + offset)
            # Each flat uses 3–12 m³ a month; the house meter sees 110 m³ of flats plus their sum's common part.
            cur.execute(
                """INSERT INTO metering_reading (meter_id, period, value, submitted_at, channel, status,
                       reject_reason, is_current, rollover, flagged)
                   SELECT m.id, %s, (CASE WHEN m.building_id IS NULL THEN 3 + m.id %% 10 ELSE 700 END) * %s,
                          now(), 'portal', %s, '', true, false, false
                   FROM metering_meter m WHERE %s <> 0 OR m.building_id IS NOT NULL OR m.id %% 100 < 85""",
                [month, 5 + offset, status, offset],
            )
    return org


BASELINE = """
CREATE TABLE bench_charge (LIKE billing_charge INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES);
INSERT INTO bench_charge (account_id, period_id, service_id, meter_id, basis, previous_value, current_value, volume,
                          price, factor, factor_excess, amount, house_volume)
SELECT a.id, %(period)s, s.id, NULL, 'meter', 1, 2, (a.id %% 10) + 0.5, 45.27, NULL, 0,
       round(((a.id %% 10) + 0.5) * 45.27, 2), NULL
FROM housing_personalaccount a CROSS JOIN billing_service s
ORDER BY a.id, s.id LIMIT %(rows)s;
"""


COMMITS: list[tuple[float, float]] = []  # the moments the publishing transactions commit: (wall, CPU)
BACKEND: list[int] = []  # the PostgreSQL server process of the bench's connection


def clocks() -> tuple[float, float]:
    """The wall clock and the CPU time spent so far by this process and its PostgreSQL server process: the CPU
    time is what the other work on a shared machine disturbs far less than the wall clock."""
    with open(f"/proc/{BACKEND[-1]}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return time.perf_counter(), time.process_time() + server


def _mark_publish_commits() -> list[tuple[float, float]]:
    """An on-commit callback registered inside the publish runs before the ones registered after it (the work after
    publish: the issued documents, the mailings), so it records the moment of the commit."""
    from django.db import transaction

    from abonent.billing import signals

    def mark(sender, **kwargs):
        transaction.on_commit(lambda: COMMITS.append(clocks()))

    signals.period_publishing.connect(mark, dispatch_uid="bench.publish_commits", weak=False)
    return COMMITS


def run(url: str, accounts: int) -> dict:
    recreate(url)
    os.environ["DATABASE_URL"] = url
    import subprocess

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--skip-checks", "-v0"],
        cwd=ROOT,
        env={**os.environ},
        check=True,
    )
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abonent.settings")
    django.setup()
    from django.db import connection, connections

    connections.close_all()
    from abonent.billing import cycle, signals
    from abonent.billing.models import BillingPeriod, Charge
    from abonent.exchange.tasks import DEBT_REGISTRY
    from abonent.jobs.models import Job
    from abonent.jobs.runner import job_run
    from abonent.receipts.tasks import DOCUMENTS

    started = time.perf_counter()
    org = generate(accounts)
    generated = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    # the previous month is published, as it would be in life
    previous = MONTH.replace(month=MONTH.month - 1)
    cycle.period_close(organisation=org, month=previous)
    committed = _mark_publish_commits()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        BACKEND.append(cur.fetchone()[0])
    timings, cpu = {}, {}
    for step in cycle.STEPS:
        started = clocks()
        cycle.period_close(organisation=org, month=MONTH, step=step)
        ended = clocks()
        timings[step], cpu[step] = ended[0] - started[0], ended[1] - started[1]
    # publish: until the call returns; of it, what runs after its transaction commits (the period published)
    timings["after_commit"], cpu["after_commit"] = ended[0] - committed[-1][0], ended[1] - committed[-1][1]
    period = BillingPeriod.objects.get(organisation=org, month=MONTH)
    # the issued receipts' documents: the background job queued after the commit, run here as a worker would
    job = Job.objects.get(kind=DOCUMENTS, params__period=period.pk)
    started = clocks()
    job_run(job.pk, inline=True)
    ended = clocks()
    timings["documents"], cpu["documents"] = ended[0] - started[0], ended[1] - started[1]
    # and the bank's debt registry, another job the publish queues (not the close's work, shown for the record)
    job = Job.objects.get(kind=DEBT_REGISTRY, params__period=period.pk)
    started = clocks()
    job_run(job.pk, inline=True)
    ended = clocks()
    timings["debt_registry"], cpu["debt_registry"] = ended[0] - started[0], ended[1] - started[1]
    rows = Charge.objects.filter(period=period).count()
    with connection.cursor() as cur:
        started = clocks()
        cur.execute(BASELINE, {"period": period.pk, "rows": rows})
        ended = clocks()
        baseline, cpu["baseline"] = ended[0] - started[0], ended[1] - started[1]
        cur.execute("DROP TABLE bench_charge")
    # the next size's previous month must not mark its publish with this run's server process
    signals.period_publishing.disconnect(dispatch_uid="bench.publish_commits")
    connections.close_all()
    return {"accounts": accounts, "rows": rows, "generated": generated, "baseline": baseline, **timings, "cpu": cpu}


def _cpu(cpu: dict) -> str:
    close = cpu["close_readings"] + cpu["calculate"] + cpu["publish"]
    steps = ", ".join(f"{step} {cpu[step]:.1f}" for step in ("close_readings", "calculate", "publish"))
    return (
        f"close {close:.1f} s ({steps}; after the commit {cpu['after_commit']:.1f}), documents job "
        f"{cpu['documents']:.1f} s, debt registry job {cpu['debt_registry']:.1f} s, bare INSERT … SELECT {cpu['baseline']:.2f} s: "
        f"close/baseline {close / cpu['baseline']:.1f}×, documents/baseline {cpu['documents'] / cpu['baseline']:.1f}×, "
        f"both {(close + cpu['documents']) / cpu['baseline']:.1f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} CPU, Python {platform.python_version()}")
    for accounts in args.accounts:
        load_before = os.getloadavg()[0]
        r = run(args.url, accounts)
        close = r["close_readings"] + r["calculate"] + r["publish"]
        documents = r["documents"]
        print(
            f"{r['accounts']} accounts, {r['rows']} charge rows (register generated in {r['generated']:.1f} s): "
            f"close {close:.1f} s (readings {r['close_readings']:.1f}, calculate {r['calculate']:.1f}, "
            f"publish {r['publish']:.1f} of which after its commit {r['after_commit']:.1f}); "
            f"the documents job (background) {documents:.1f} s; the debt registry job {r['debt_registry']:.1f} s; "
            f"calculate {r['rows'] / r['calculate']:.0f} rows/s; "
            f"bare INSERT … SELECT {r['baseline']:.2f} s; ratio calculate/baseline {r['calculate'] / r['baseline']:.1f}×, "
            f"whole close/baseline {close / r['baseline']:.1f}×, documents job/baseline "
            f"{documents / r['baseline']:.1f}×, both {(close + documents) / r['baseline']:.1f}×; "
            f"CPU (this process and its server process) {_cpu(r['cpu'])}; "
            f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
            "(other work on the machine shows in the figures)",
            flush=True,
        )


if __name__ == "__main__":
    main()
