"""Benchmark: importing a month from an external billing (issue 21), PostgreSQL.

    .venv/bin/python bench/exchange.py [--accounts 100000] [--services 10] [--readings 100000] [--runs 1] [--write]

1. Fresh database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/abonent_bench_h21; the name must contain
   "bench": it is dropped), `manage.py migrate`, one organisation in external-billing mode with N accounts and S
   services.
2. A cp1251 CSV month file (preset «abonent») of N × S lines.
3. `billing_month_import` in-process, timed (each run a new version of the same month), and the baseline in the same
   run: a bare `COPY … FROM STDIN (FORMAT csv)` of the same file into an unlogged table of text columns.
   Targets: ≤ 60 s for 1 000 000 lines and ≤ 3× the bare COPY.
4. A meter and a reading for each of the first R premises (--readings, 100 000), then `billing_export` of the
   month's readings as CSV, timed. Target: ≤ 10 s for 100 000 readings.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import ROOT, city, recreate, setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_bench_h21"
HEADING = "## Exchange: a month from an external billing (issue 21)"


def services(org, count: int):
    from abonent.billing.models import Service

    return [
        Service.objects.create(
            organisation=org, code=f"s{i}", name=f"Услуга {i}", unit="м³", method="fixed", resource="", sort_order=i
        )
        for i in range(count)
    ]


def month_file(accounts: int, names: list[str]) -> bytes:
    head = "ЛС;Услуга;Ед;Объём;Тариф;Начислено;Перерасчёт;Пени;Сальдо;Оплачено;К оплате\r\n"
    lines = [head]
    for i in range(accounts):
        number = f"{7000000 + i}"
        for j, name in enumerate(names):
            kopecks = 1000 + (i * 31 + j * 7) % 90000
            charged = Decimal(kopecks) / 100
            opening = Decimal((i + j) % 3 * 100)
            to_pay = opening + charged
            lines.append(f"{number};{name};м3;1.000;{charged};{charged};0;0;{opening};0;{to_pay}\r\n")
    return "".join(lines).encode("cp1251")


def bare_copy(data: bytes) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_copy (" + ", ".join(f"c{i} text" for i in range(11)) + ")")
        t = time.perf_counter()
        with cursor.copy(
            "COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1251')"
        ) as copy:
            copy.write(data)
        elapsed = time.perf_counter() - t
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


def readings(count: int, month: dt.date) -> None:
    """A cold-water meter per flat of the first `count` premises and a reading each, submitted in the month."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO metering_meter (premises_id, resource, serial_number, model_name, place, installed_on,
                   verification_due, digits_before, digits_after, initial_value, status)
               SELECT p.id, 'cold_water', 'C' || p.id, '', '', DATE '2022-01-01', DATE '2030-01-01', 5, 3, 0, 'active'
               FROM housing_premises p ORDER BY p.id LIMIT %s""",
            [count],
        )
        cursor.execute(
            """INSERT INTO metering_reading (meter_id, period, value, submitted_at, channel, status, reject_reason,
                   is_current, rollover, flagged)
               SELECT id, %s, 100 + id %% 1000 + 0.125, %s, 'portal', 'accepted', '', true, false, false
               FROM metering_meter""",
            [month, dt.datetime.combine(month, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=19)],
        )
        cursor.execute("ANALYZE metering_reading")


def exported(org, month: dt.date) -> tuple[float, int]:
    from abonent.exchange.exporting import billing_export

    t = time.perf_counter()
    result = billing_export(organisation=org, kind="readings", fmt="csv", month=month)
    return time.perf_counter() - t, result.rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--readings", type=int, default=100_000)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    recreate(args.url)
    setup(args.url)
    from abonent.exchange.month_import import billing_month_import
    from abonent.orgs.models import Organisation

    org = city(args.accounts)
    Organisation.objects.filter(pk=org.pk).update(billing_mode="external")
    org.refresh_from_db()
    names = [s.name for s in services(org, args.services)]
    data = month_file(args.accounts, names)
    lines = args.accounts * args.services
    month = dt.date(2026, 10, 1)
    imports, copies = [], []
    for run in range(args.runs):
        copies.append(bare_copy(data))
        t = time.perf_counter()
        result = billing_month_import(organisation=org, month=month, data=data, file_name=f"m{run}.csv")
        imports.append(time.perf_counter() - t)
        assert result.lines == lines, result.summary()
        print(f"run {run + 1}: import {imports[-1]:.1f} s, bare COPY {copies[-1]:.2f} s", flush=True)
    readings(args.readings, month)
    exports = []
    for run in range(args.runs):
        elapsed, rows = exported(org, month)
        exports.append(elapsed)
        assert rows == min(args.readings, args.accounts), rows
        print(f"run {run + 1}: export of {rows} readings {elapsed:.1f} s", flush=True)
    median, baseline = statistics.median(imports), statistics.median(copies)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    scaled = f"{lines:,}".replace(",", " ")
    text = f"""
{HEADING}

`bench/exchange.py --accounts {args.accounts} --services {args.services} --readings {args.readings} --runs {args.runs}` on {dt.datetime.now(dt.UTC):%d.%m.%Y %H:%M} UTC, {os.cpu_count()} CPU, CPython {platform.python_version()}, PostgreSQL on the same machine; load average {load} (other engineers' suites running).

| what | runs | median | target |
|---|---|---|---|
| `billing_month_import` of {scaled} lines (cp1251 CSV), in-process | {", ".join(f"{x:.1f} s" for x in imports)} | **{median:.1f} s** | ≤ 60 s for 1 000 000 lines |
| bare `COPY` of the same file into a text table | {", ".join(f"{x:.2f} s" for x in copies)} | {baseline:.2f} s | — |
| ratio import / COPY | | **{median / baseline:.1f}×** | ≤ 3× |
| `billing_export` of {min(args.readings, args.accounts):,} readings (CSV), in-process | {", ".join(f"{x:.1f} s" for x in exports)} | **{statistics.median(exports):.1f} s** | ≤ 10 s for 100 000 |
"""
    print(text)
    if args.write:
        with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as doc:
            doc.write(text)


if __name__ == "__main__":
    main()
