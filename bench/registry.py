"""Benchmark: importing a bank payment registry (issue 8) of 100 000 lines, PostgreSQL.

    .venv/bin/python bench/registry.py [--lines 100000] [--runs 3] [--write]

1. Fresh database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/abonent_h9_bench; the name must
   contain "bench": it is dropped), `manage.py migrate`, then one organisation with N accounts (buildings of 100
   flats).
2. A Sberbank-style registry (cp1251, `;`, summary line) of N payments, one per account, dated this month; 1 % of
   the lines carry an unknown account (they go to the unmatched list).
3. `registry_import` in-process, timed: each run a new file (new payment ids) into the same accounts, then the same
   file again (every line a duplicate: nothing is added). Target: at most 15 s for 100 000 lines.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_h9_bench"
TARGET = 15.0
HEADING = "## Payments: bank registry import (issue 8)"


def recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        sys.exit(f"Отказ: база «{name}» будет удалена, а в её имени нет «bench».")
    with psycopg.connect(base.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str) -> None:
    # DEBUG=0 refuses known keys and the sandbox unless told otherwise: the bench is a staging site.
    staging = {
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "7f3a9c1e5b2d8046" * 4,
        "PAYMENTS_PROVIDER": "sandbox",
        "PAYMENTS_SANDBOX_ALLOWED": "1",
        "PAYMENTS_SIGNING_KEY": "bench-sign-" + "0e4b8d2f6a1c9357" * 4,
    }
    env = {**os.environ, "DATABASE_URL": url, **staging}
    subprocess.run([sys.executable, "manage.py", "migrate", "--skip-checks", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "abonent.settings", **staging})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def city(n: int):
    from decimal import Decimal

    from abonent.housing.models import Building, PersonalAccount, Premises
    from abonent.testing.factories import OrganisationFactory

    org = OrganisationFactory(code="bench")
    buildings = Building.objects.bulk_create(
        [
            Building(organisation=org, address=f"г. Ульяновск, ул. Скоростная, д. {b + 1}", total_area=Decimal("5000"))
            for b in range((n + 99) // 100)
        ]
    )
    Premises.objects.bulk_create(
        [
            Premises(building=buildings[i // 100], number=str(i % 100 + 1), total_area=Decimal("50.00"))
            for i in range(n)
        ],
        batch_size=5000,
    )
    premises = list(Premises.objects.filter(building__organisation=org).order_by("id").values_list("pk", flat=True))
    PersonalAccount.objects.bulk_create(
        [
            PersonalAccount(
                organisation=org,
                number=f"{7000000 + i}",
                premises_id=p,
                payer_name="Плательщик",
                opened_on=dt.date(2020, 1, 1),
            )
            for i, p in enumerate(premises)
        ],
        batch_size=5000,
    )
    return org


def registry_file(n: int, run: int, today: dt.date) -> bytes:
    lines, total = [], 0
    date = today.replace(day=1).strftime("%d/%m/%Y")
    for i in range(n):
        account = f"{7000000 + i}" if i % 100 else f"9{i:08d}"  # 1 % unknown
        kopecks = 10000 + (i * 37) % 500000
        total += kopecks
        amount = f"{kopecks // 100}.{kopecks % 100:02d}"
        lines.append(f"{date};10-00-00;8588;0001;R{run}-{i:07d};{account};Плательщик;адрес;102026;{amount};0.00;")
    lines.append(f"={n};{total // 100}.{total % 100:02d};0.00")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    recreate(args.url)
    setup(args.url)
    from abonent.payments.registry import registry_import

    org = city(args.lines)
    fresh, again = [], []
    for run in range(args.runs):
        data = registry_file(args.lines, run, org.today())
        t = time.perf_counter()
        result = registry_import(organisation=org, data=data, file_name=f"r{run}.txt")
        fresh.append(time.perf_counter() - t)
        assert result.created + result.unmatched == args.lines, result
        t = time.perf_counter()
        repeat = registry_import(organisation=org, data=data, file_name=f"r{run}.txt")
        again.append(time.perf_counter() - t)
        assert repeat.created == 0 and repeat.duplicates == args.lines
        print(f"run {run + 1}: import {fresh[-1]:.1f} s, same file again {again[-1]:.1f} s", flush=True)
    median = statistics.median(fresh)
    verdict = "met" if median <= TARGET else "**not met**"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = f"""
{HEADING}

`bench/registry.py --lines {args.lines} --runs {args.runs}` on {dt.datetime.now(dt.UTC):%d.%m.%Y %H:%M} UTC, {os.cpu_count()} CPU, CPython {platform.python_version()}, PostgreSQL on the same machine; load average {load} (other engineers' suites running).

| what | runs | median | target |
|---|---|---|---|
| `registry_import` of {args.lines:,} lines (cp1251 Sberbank-style file, 1 % unknown accounts), in-process | {", ".join(f"{x:.1f} s" for x in fresh)} | **{median:.1f} s** | ≤ {TARGET:.0f} s — {verdict} |
| the same file again (every line a duplicate, nothing written but the registry row) | {", ".join(f"{x:.1f} s" for x in again)} | {statistics.median(again):.1f} s | — |

- Set-based, a fixed number of queries whatever the file's length: the file is parsed and reconciled in memory; earlier imports and the accounts are looked up with one `= ANY(array)` query each; payments and ledger entries are written with one `COPY` each (rows formatted as text in Python), the audit trail with one `INSERT … SELECT`, unmatched lines with `bulk_create`. Balances are rebuilt set-based (billing's per-period rebuild) only for periods that already have balance rows; the bench's payments are dated in the current, not yet calculated month, so that step is empty here. Each run adds 100 000 payments to the tables, so later runs write into bigger indexes.
- Run it: `.venv/bin/python bench/registry.py --write` (the database, `abonent_h9_bench` by default, must have `bench` in its name: it is dropped).
""".replace(f"{args.lines:,}", f"{args.lines:,}".replace(",", " "))
    print(text)
    if args.write:
        with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as doc:
            doc.write(text)


if __name__ == "__main__":
    main()
