"""Benchmark: the operator's office (issue 20) for a city of N accounts with a year of published history.

    .venv/bin/python bench/office.py [--accounts 100000] [--months 12] [--requests 30] [--runs 3] [--write]

1. Fresh PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/abonent_bench_h20_office;
   the name must contain "bench": it is dropped), `manage.py migrate`, then the city and its history in bulk SQL
   exactly as bench/pages.py makes it (one organisation, N accounts with a meter each, four services, `--months`
   published periods with charges, ledger entries, payments, balances; a third of the accounts owe the last
   month), plus this month's readings from half of the meters, then metering's counters recounted (as
   `manage.py readings_tally` does after any bulk load). The cache is the process's own memory (no Redis).
2. An operator with the accountant's role, logged in with Django's test client in this process (no HTTP server:
   what is measured is the view, its queries and its template). Per run: `--requests` warm GETs each of
   /office/ (the month at a glance) and /office/reports/turnover/?first=<the last published month> (the turnover
   sheet of one month: a page of 100 lines and the totals of all N), after two unmeasured ones; p50 and p95.
   Baseline, same run: a trivial view (HttpResponse("ok")) through the same client and middleware.
   Target: each page ≤ 300 ms p95, warm.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from readings import ROOT, env_for, libpq, machine, manage

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_bench_h20_office"
TARGET_MS = 300.0
HEADING = "## Operator's office (issue 20)"
# Why the figures do not grow with the city; written under the table with every --write.
NOTES = [
    "- The month at a glance counts nothing: the readings received by period and channel and the active meters are",
    "  metering's counters (`metering.tally`: ReadingTally, MeterTally), kept by the writes themselves in their own",
    "  transaction and recounted by `manage.py readings_tally` after a bulk load (this bench does, after its SQL).",
    "  Before them, counting 100 000 meters and their readings was 364 ms of a 455 ms request (p95 1161 ms under",
    "  load 11). The money figures are sums over published periods, frozen and cached under the periods' ids and",
    "  publication times; the open month's payments and the later payments' debt correction are read live.",
    "- The turnover sheet of a month shows a page of 100 accounts: the query names the organisation, so PostgreSQL",
    "  walks the accounts' unique (organisation, number) index and stops after the page (EXPLAIN ANALYZE on this",
    "  database: 202 ms sorting every account → 0.5 ms); its totals and line count are frozen with the published",
    "  months. Before: p95 561 ms under load 11.",
]


def recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        sys.exit(f"Отказ: база «{name}» будет удалена, а в её имени нет «bench».")
    with psycopg.connect(libpq(base + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def environment(url: str) -> dict:
    env = env_for(url)
    env["REDIS_URL"] = ""  # the process's own cache: nothing shared with other benchmarks on this machine
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    env["OTP_REQUIRED_FOR_STAFF"] = "0"  # the operator here has no second factor set up: a bench, not a site
    return env


def this_months_readings() -> None:
    """Half of the meters have sent this month's reading through the portal."""
    from django.db import connection

    from abonent.orgs.dates import month_start
    from abonent.orgs.models import Organisation

    month = month_start(Organisation.objects.get(code="bench").today())
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO metering_reading (meter_id, period, value, submitted_at, channel, status, reject_reason,
                   is_current, rollover, flagged)
               SELECT id, %s, 100, now(), 'portal', 'pending', '', true, false, false
               FROM metering_meter WHERE id %% 2 = 0""",
            [month],
        )
        cur.execute("ANALYZE metering_reading")
    # Written in bulk SQL, around the writes that keep metering's counters: recounted as after any bulk load.
    from abonent.metering.tally import tally_recount

    tally_recount(Organisation.objects.get(code="bench"))


def operator_client():
    from django.test import Client

    from abonent.office.models import OfficeRole, Role
    from abonent.orgs.models import Organisation
    from abonent.testing import factories as f

    user = f.OperatorFactory(username="bench-accountant", organisation=Organisation.objects.get(code="bench"))
    OfficeRole.objects.create(user=user, role=Role.ACCOUNTANT)
    client = Client()
    client.force_login(user)
    return client


def timed(client, path: str, requests: int) -> list[float]:
    for _ in range(2):  # warm: the first request loads templates and fills the query plans
        assert client.get(path).status_code == 200, path
    out = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, path
    return sorted(out)


def p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--reuse", action="store_true", help="the database is already generated (with --keep)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    env = environment(url)
    if not args.reuse:
        recreate(url)
        manage(url, "migrate", "-v0")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.pages_settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from pages import generate

    from abonent.billing.models import BillingPeriod

    generated = 0.0
    if not args.reuse:
        started = time.perf_counter()
        generate(args.accounts, args.months, 1)
        this_months_readings()
        generated = time.perf_counter() - started
        print(f"generated in {generated:.0f} s", flush=True)
    last = BillingPeriod.objects.filter(state="published").order_by("-month").first().month
    client = operator_client()
    paths = {
        "dashboard": "/office/",
        "turnover": f"/office/reports/turnover/?first={last:%m.%Y}",
        "trivial": "/bench-trivial/",
    }
    runs = []
    try:
        for run in range(args.runs):
            result = {name: timed(client, path, args.requests) for name, path in paths.items()}
            runs.append(result)
            print(f"run {run + 1}: " + "; ".join(
                f"{n} p50 {statistics.median(v):.0f} ms p95 {p95(v):.0f} ms" for n, v in result.items()), flush=True)  # fmt: skip
    finally:
        from abonent.users.models import User

        User.objects.filter(username="bench-accountant").delete()
    summary = {n: (statistics.median(statistics.median(r[n]) for r in runs), statistics.median(p95(r[n]) for r in runs))
               for n in paths}  # fmt: skip
    for name, (p50, high) in summary.items():
        print(f"median {name}: p50 {p50:.0f} ms, p95 {high:.0f} ms")
    if args.write:
        record(args, runs, summary, generated)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        recreate_drop(url)


def recreate_drop(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(libpq(base + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def record(args, runs, summary, generated: float) -> None:
    def met(name):
        return "met" if summary[name][1] <= TARGET_MS else "**not met**"

    trivial = summary["trivial"][0]
    rows = [
        f"| {label} | " + ", ".join(f"{p95(r[name]):.0f} ms" for r in runs)
        + f" | **{summary[name][1]:.0f} ms** (p50 {summary[name][0]:.0f} ms, {summary[name][0] / trivial:.0f}× trivial)"
        + f" | ≤ {TARGET_MS:.0f} ms — {met(name)} |"
        for name, label in (("dashboard", "/office/ (the month at a glance), p95"),
                            ("turnover", "turnover sheet, one month, p95"))
    ]  # fmt: skip
    lines = [
        HEADING,
        "",
        f"`bench/office.py --accounts {args.accounts} --months {args.months} --requests {args.requests} "
        f"--runs {args.runs}` on {dt.date.today():%d.%m.%Y}, {machine()}, PostgreSQL on the same machine shared "
        f"with other work (load average {os.getloadavg()[0]:.1f}); history generated in bulk SQL"
        + (f" in {generated:.0f} s" if generated else "")
        + "; Django's test client in the process, warm.",
        "",
        "| what | p95 per run | median | target |",
        "|---|---|---|---|",
        *rows,
        "| trivial view through the same client (baseline) | "
        + ", ".join(f"{p95(r['trivial']):.1f} ms" for r in runs)
        + f" | {summary['trivial'][1]:.1f} ms (p50 {trivial:.1f} ms) | — |",
    ]
    section = "\n".join([*lines, "", *NOTES]) + "\n"
    doc = ROOT / "docs" / "BENCHMARKS.md"
    text = doc.read_text(encoding="utf-8")
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + ("\n" + text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
