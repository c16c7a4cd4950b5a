"""Benchmark: `seed_demo --accounts 100000` (issue 2) on a fresh PostgreSQL database.

    .venv/bin/python bench/seed_city.py [--accounts 100000] [--runs 3] [--write]

Each run drops and re-creates the benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/abonent_bench; the name must contain "bench", so a real database is never
dropped), migrates it, and times the command as a user runs it (a process of its own, Django start-up
included). As a baseline, in the same run, it times a bare `INSERT … SELECT generate_series` of as many
account-like rows into a temporary table: what the database alone needs, with no Python in the way.
It prints the median of the runs and, with --write, records them in docs/BENCHMARKS.md.
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

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_bench"
TARGET_SECONDS = 180
HEADING = "## seed_demo --accounts (issue 2)"
BASELINE_SQL = """
CREATE TEMP TABLE bench_accounts (
    id bigserial PRIMARY KEY, organisation_id bigint NOT NULL, premises_id bigint NOT NULL,
    number varchar(30) NOT NULL, payer_name varchar(200) NOT NULL, opened_on date NOT NULL,
    activation_code varchar(14) NOT NULL, UNIQUE (organisation_id, number)
);
INSERT INTO bench_accounts (organisation_id, premises_id, number, payer_name, opened_on, activation_code)
SELECT 1, n, (5000000000 + n)::text, 'Иванов Иван Иванович ' || n, DATE '2010-01-01' + (n % 5000),
       lpad((n % 10000)::text, 4, '0') || '-' || lpad((n * 7 % 10000)::text, 4, '0') || '-1234'
FROM generate_series(1, %(count)s) AS n;
"""


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def recreate(url: str) -> None:
    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        sys.exit(f"Отказ: база «{name}» будет удалена, а в её имени нет «bench». Укажите отдельную базу.")
    with psycopg.connect(libpq(base + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def baseline(url: str, count: int) -> float:
    with psycopg.connect(libpq(url)) as conn:
        started = time.perf_counter()
        conn.execute(BASELINE_SQL.replace("%(count)s", str(int(count))))
        conn.commit()
        return time.perf_counter() - started


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(libpq(url)) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("housing_building", "housing_premises", "housing_personalaccount", "metering_meter")
        }


def machine(url: str) -> str:
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    with psycopg.connect(libpq(url)) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return (
        f"{os.cpu_count()} CPU (nproc), {total} RAM (free -h), Python {platform.python_version()}, PostgreSQL {server}"
    )


def write_section(text: str, heading: str = HEADING) -> None:
    """`text` in place of the section under `heading` of docs/BENCHMARKS.md (other benchmarks record theirs too)."""
    path = ROOT / "docs" / "BENCHMARKS.md"
    content = path.read_text(encoding="utf-8")
    if heading in content:
        before, after = content.split(heading, 1)
        rest = after.split("\n## ", 1)
        tail = ("\n## " + rest[1]) if len(rest) > 1 else ""
        content = before + text + tail
    else:
        content = content.rstrip("\n") + "\n\n" + text
    path.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="записать результат в docs/BENCHMARKS.md")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    url = url if url.startswith("postgres") else DEFAULT_URL

    seeds, bases, loads = [], [], []
    for run in range(1, options.runs + 1):
        recreate(url)
        manage(url, "migrate", "--no-input", "-v", "0")
        seeded = manage(url, "seed_demo", "--accounts", str(options.accounts), "-v", "0")
        rows = counts(url)
        base = baseline(url, options.accounts)
        seeds.append(seeded)
        bases.append(base)
        loads.append(os.getloadavg()[1])  # the 5-minute load average: how busy the machine was during the run
        print(f"прогон {run}: seed_demo {seeded:.1f} с, INSERT … generate_series {base:.2f} с, строки {rows}")

    seeded, base = statistics.median(seeds), statistics.median(bases)
    verdict = "цель выполнена" if seeded <= TARGET_SECONDS else "ЦЕЛЬ НЕ ВЫПОЛНЕНА"
    per_second = options.accounts / seeded
    print(
        f"медиана из {len(seeds)}: seed_demo --accounts {options.accounts}: {seeded:.1f} с "
        f"({per_second:,.0f} л/с в секунду); голый SQL: {base:.2f} с; отношение {seeded / base:.0f}×; "
        f"цель ≤ {TARGET_SECONDS} с: {verdict}"
    )
    if options.write:
        write_section(
            f"{HEADING}\n\n"
            f"What: `python manage.py seed_demo --accounts {options.accounts}` on a fresh, migrated PostgreSQL "
            f"database, timed as a whole process (Django start-up included). It creates the organisation `city` "
            f"with {rows['housing_building']} buildings, {rows['housing_premises']} premises, "
            f"{rows['housing_personalaccount']} accounts and {rows['metering_meter']} meters (1–3 per flat), "
            f"all by `bulk_create` in batches of 5000 in one transaction.\n"
            f"Baseline: a bare `INSERT … SELECT generate_series(1, {options.accounts})` of account-like rows "
            f"(same columns, a unique index) into a temporary table, in the same run.\n\n"
            f"- Machine: {machine(url)}\n"
            f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; 5-minute load average after each run "
            f"{', '.join(f'{load:.1f}' for load in loads)} on {os.cpu_count()} cores\n"
            f"- Runs: {len(seeds)}; seed_demo {', '.join(f'{s:.1f}' for s in seeds)} s; "
            f"baseline {', '.join(f'{b:.2f}' for b in bases)} s\n"
            f"- **Median: seed_demo {seeded:.1f} s ({per_second:,.0f} accounts/s, with premises and meters); "
            f"baseline {base:.2f} s; ratio {seeded / base:.0f}×**\n"
            f"- Target: ≤ {TARGET_SECONDS} s for 100 000 accounts — {'met' if seeded <= TARGET_SECONDS else 'NOT met'}\n"
            f"- Run it: `.venv/bin/python bench/seed_city.py --runs 3 --write`\n\n"
            f"The ratio compares unlike things on purpose: the baseline writes only the account rows, in SQL; "
            f"seed_demo writes four tables (about {sum(rows.values()) // 1000}k rows) through the ORM. A profile "
            f"shows the time is Python's: most of it in Django's insert compiler preparing each value and in "
            f"building model instances, little in PostgreSQL. `COPY` would close most of the gap if a city of "
            f"a million accounts is ever needed quickly.\n"
        )
        print("записано в docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
