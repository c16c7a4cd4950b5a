"""Benchmark: readings (issue 4) on 100 000 generated accounts, PostgreSQL.

    .venv/bin/python bench/readings.py [--accounts 100000] [--runs 3] [--clients 16] [--seconds 20] [--write]

1. Fresh database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/abonent_h5_bench; the name must
   contain "bench": it is dropped), `manage.py migrate`, then a city generated in SQL: one organisation whose
   window is open today, N accounts in buildings of 100 flats, one cold-water meter each, and last month's
   accepted reading for every meter.
2. Import: a CSV of N readings (one per account, dated today) through `manage.py import_readings FILE --org`,
   timed as a whole process (Django start-up included); each run imports the file again (the second import of
   a period replaces the current readings, the heavier case). Target: at most 20 s for 100 000.
3. Form submissions: gunicorn (sync workers) serving the project; `--clients` concurrent clients, each logged
   in as a different subscriber (a session made directly), POST the readings form with confirm=1 (the full
   "Передать показания" path: session, access check, every rule, row lock, insert, redirect) for `--seconds`.
   Target: at least 200 accepted submissions per second on this machine.
"""

import argparse
import datetime as dt
import http.client
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_h5_bench"
# The shared cache the deployment uses (docs/DEPLOYMENT.md): sessions and subscriber figures in Redis. Its own
# database number, emptied with the benchmark's PostgreSQL database.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
IMPORT_TARGET = 20.0
HTTP_TARGET = 200.0
HEADING = "## Readings: import and form submissions (issue 4)"
PORT = 8765


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        sys.exit(f"Отказ: база «{name}» будет удалена, а в её имени нет «bench».")
    with psycopg.connect(libpq(base + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # cached sessions and figures of the dropped database


def env_for(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "ERROR",
        # DEBUG=0 refuses known keys and the sandbox unless told otherwise: a bench is a staging site over plain HTTP.
        "SECRET_KEY": "bench-" + "7f3a9c1e5b2d8046" * 4,
        "PAYMENTS_PROVIDER": "sandbox",
        "PAYMENTS_SANDBOX_ALLOWED": "1",
        "PAYMENTS_SIGNING_KEY": "bench-sign-" + "0e4b8d2f6a1c9357" * 4,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
    }


def manage(url: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env_for(url), check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def setup_django(url: str) -> None:
    os.environ.update(env_for(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abonent.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(accounts: int, users: int) -> dict:
    """The city, in SQL; returns what the rest needs. Runs inside the benchmark process (django set up)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction

    from abonent.housing.models import PersonalAccount
    from abonent.orgs.dates import add_months, month_start
    from abonent.orgs.models import Organisation
    from abonent.orgs.validators import account_with_key, inn_with_check
    from abonent.users.models import AccountLink, User

    org = Organisation.objects.create(
        code="bench",
        name="МУП «Водоканал» (бенчмарк)",
        short_name="Водоканал",
        inn=inn_with_check("732500001"),
        legal_address="г. Ульяновск",
        phone="+7 (8422) 00-00-00",
        bank_name="Банк",
        bik="047308602",
        correspondent_account="30101810000000000602",
        settlement_account=account_with_key("047308602", "4070281069000000001"),
        timezone="Europe/Ulyanovsk",
        readings_first_day=1,
        readings_last_day=31,
    )
    period = month_start(org.today())
    previous = add_months(period, -1)
    buildings = (accounts + 99) // 100
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO housing_building (organisation_id, address, total_area, common_area)
               SELECT %s, 'г. Ульяновск, ул. Бенчмарка, д. ' || b, 5000, 800 FROM generate_series(1, %s) b""",
            [org.pk, buildings],
        )
        cur.execute("SELECT min(id) FROM housing_building WHERE organisation_id = %s", [org.pk])
        first_building = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO housing_premises (building_id, number, kind, total_area, ownership, residents)
               SELECT %s + (n - 1) / 100, ((n - 1) %% 100 + 1)::text, 'flat', 50, 'private', 2
               FROM generate_series(1, %s) n""",
            [first_building, accounts],
        )
        cur.execute(
            """INSERT INTO housing_personalaccount (organisation_id, number, premises_id, payer_name, opened_on,
                   activation_code, els)
               SELECT %s, (5000000000 + row_number() OVER (ORDER BY p.id))::text, p.id, 'Абонент', DATE '2020-01-01',
                   '', ''
               FROM housing_premises p JOIN housing_building b ON b.id = p.building_id
               WHERE b.organisation_id = %s""",
            [org.pk, org.pk],
        )
        cur.execute(
            """INSERT INTO metering_meter (premises_id, resource, serial_number, model_name, place, installed_on,
                   sealed_on, verification_due, digits_before, digits_after, initial_value, status)
               SELECT a.premises_id, 'cold_water', 'S' || a.number, '', 'Ванная', DATE '2022-01-01',
                   DATE '2022-01-10', DATE '2030-01-01', 5, 3, 0, 'active'
               FROM housing_personalaccount a WHERE a.organisation_id = %s""",
            [org.pk],
        )
        cur.execute(
            """INSERT INTO metering_reading (meter_id, period, value, submitted_at, channel, status, reject_reason,
                   is_current, rollover, flagged)
               SELECT m.id, %s, 100 + (m.id %% 50), now() - interval '30 days', 'portal', 'accepted', '', true,
                   false, false
               FROM metering_meter m JOIN housing_premises p ON p.id = m.premises_id
               JOIN housing_building b ON b.id = p.building_id WHERE b.organisation_id = %s""",
            [previous, org.pk],
        )
    cur = connection.cursor()
    cur.execute("ANALYZE")
    # Subscribers for the HTTP part: a user each, linked to an account, with a session made directly.
    chosen = list(
        PersonalAccount.objects.filter(organisation=org).order_by("pk").values_list("pk", "premises_id")[:users]
    )
    people = User.objects.bulk_create(
        [User(username=f"bench{i}", email=f"bench{i}@example.ru", password="!") for i in range(len(chosen))]
    )
    AccountLink.objects.bulk_create(
        [
            AccountLink(user=u, account_id=a, method=AccountLink.Method.OPERATOR)
            for u, (a, _p) in zip(people, chosen, strict=True)
        ]
    )
    from abonent.metering.models import Meter

    meter_of = dict(Meter.objects.filter(premises_id__in=[p for _a, p in chosen]).values_list("premises_id", "pk"))
    clients = []
    for user, (account_id, premises_id) in zip(people, chosen, strict=True):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        clients.append((session.session_key, account_id, meter_of[premises_id]))
    rows = list(
        Meter.objects.filter(premises__accounts__organisation=org).values_list(
            "premises__accounts__number", "serial_number", "pk"
        )
    )
    return {"org": org.code, "today": org.today(), "clients": clients, "rows": rows}


def write_csv(rows, today: dt.date, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("Лицевой счёт;Заводской номер;Показание;Дата\n")
        for number, serial, pk in rows:
            # Last month's value was 100 + pk % 50 (see generate): about 5 м³ more, an ordinary month.
            out.write(f"{number};{serial};{105 + pk % 50},{pk % 1000:03d};{today:%d.%m.%Y}\n")


# --- HTTP ------------------------------------------------------------------------------------------------


def client_loop(args):
    session_key, account_id, meter_id, seconds, start_at = args
    path = f"/cabinet/accounts/{account_id}/readings/"
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    cookie = f"sessionid={session_key}"
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    if not token or not csrf_cookie:
        return (0, 1, 0.0)
    headers = {
        "Cookie": f"{cookie}; csrftoken={csrf_cookie.group(1)}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    ok = failed = 0
    value = 100 + meter_id % 50 + 1  # last month's value plus a little (see generate)
    while time.time() < start_at:
        time.sleep(0.01)
    deadline = start_at + seconds
    while time.time() < deadline:
        value += 0.001  # each correction a litre more: an ordinary month's consumption throughout
        data = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                f"value_{meter_id}": f"{value:.3f}".replace(".", ","),
                "action": "submit",
                "confirm": "1",
            }
        )
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 302:
            ok += 1
        else:
            failed += 1
    conn.close()
    return (ok, failed, seconds)


def http_run(url: str, clients, workers: int, seconds: float) -> tuple[float, int, int]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "abonent.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env_for(url),
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        start_at = time.time() + 3
        with multiprocessing.Pool(len(clients)) as pool:
            results = pool.map(client_loop, [(s, a, m, seconds, start_at) for s, a, m in clients])
    finally:
        server.terminate()
        server.wait(10)
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    return ok / seconds, ok, failed


def machine() -> str:
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    return f"{os.cpu_count()} CPU, {total} RAM, {platform.python_implementation()} {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)

    recreate(url)
    manage(url, "migrate", "-v0")
    setup_django(url)
    started = time.perf_counter()
    city = generate(args.accounts, args.clients)
    print(f"city of {args.accounts} accounts generated in {time.perf_counter() - started:.1f} s", flush=True)

    imports = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readings.csv"
        write_csv(city["rows"], city["today"], path)
        for run in range(args.runs):
            seconds = manage(url, "import_readings", str(path), "--org", city["org"])
            imports.append(seconds)
            print(f"import run {run + 1}: {len(city['rows'])} readings in {seconds:.2f} s", flush=True)
    import_median = statistics.median(imports)
    print(f"import median {import_median:.2f} s (target ≤ {IMPORT_TARGET:.0f} s)")

    from django.db import connection

    connection.close()  # the client processes are forked from this one
    rates = []
    if not args.skip_http:
        for run in range(args.runs):
            rate, ok, failed = http_run(url, city["clients"], args.workers, args.seconds)
            rates.append(rate)
            print(f"http run {run + 1}: {rate:.0f} submissions/s ({ok} accepted, {failed} failed)", flush=True)
        print(f"http median {statistics.median(rates):.0f}/s (target ≥ {HTTP_TARGET:.0f}/s)")

    if args.write:
        record(args, imports, rates)


def record(args, imports, rates) -> None:
    lines = [
        HEADING,
        "",
        f"`bench/readings.py --accounts {args.accounts} --runs {args.runs} --clients {args.clients} "
        f"--workers {args.workers} --seconds {args.seconds:g}` on {dt.datetime.now(dt.UTC):%d.%m.%Y %H:%M} UTC, "
        f"{machine()}, PostgreSQL 15 and Redis on the same machine; load average at the end "
        f"{os.getloadavg()[0]:.1f} (other work on the machine shows in the figures).",
        "",
        "| what | runs | median | target |",
        "|---|---|---|---|",
        f"| `import_readings` of {args.accounts} readings (CSV, whole process) | "
        + ", ".join(f"{s:.1f} s" for s in imports)
        + f" | **{statistics.median(imports):.1f} s** | ≤ {IMPORT_TARGET:.0f} s |",
    ]
    if rates:
        lines.append(
            f"| form submissions, gunicorn {args.workers} sync workers, {args.clients} clients | "
            + ", ".join(f"{r:.0f}/s" for r in rates)
            + f" | **{statistics.median(rates):.0f}/s** | ≥ {HTTP_TARGET:.0f}/s |"
        )
    section = "\n".join(lines) + "\n"
    doc = ROOT / "docs" / "BENCHMARKS.md"
    text = doc.read_text(encoding="utf-8")
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
