"""Benchmark: the subscriber's pages (issue 6) on N accounts with 24 months of published history, PostgreSQL.

    .venv/bin/python bench/pages.py [--accounts 100000] [--months 24] [--runs 3] [--clients 8] [--workers 4]
                                    [--seconds 15] [--keep] [--reuse] [--write]

1. Fresh database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/abonent_bench_pages; the name must
   contain "bench": it is dropped), `manage.py migrate`, then a city generated in SQL (helpers of
   bench/readings.py): one organisation, N accounts in buildings of 100 flats, a cold-water meter each, four
   services (cold water by meter, upkeep by area, heating by норматив, intercom fixed).
2. History, in bulk SQL rather than by the engine (`period_close` costs about a minute a month at 100 000):
   `--months` published periods, each with a charge line per account and service, the charges' ledger entries,
   a payment entry and a balance row per account (everything paid but the last month, which a third of the
   accounts leave unpaid: a debt on the home page and the card). The figures are consistent (balance identity,
   ledger = charges) but not computed by the engine's rules; that is not what is measured here.
3. HTTP: gunicorn (sync workers) serving the project with bench/pages_settings.py (the project's settings, the
   URLconf bench/pages_urls.py: the project's URLs plus a trivial view). `--clients` client processes, each
   logged in as a different subscriber (a session made with SessionStore), keep-alive `http.client` on
   127.0.0.1, alternate GET /cabinet/ and GET /cabinet/accounts/<id>/ for `--seconds`; then the same clients
   GET the trivial view for `--seconds`. Per run: requests/s, p50/p95 latency, and the ratio pages/trivial.
   Targets: ≥ 300 requests/s with p95 ≤ 100 ms, and ≥ 0.4 of the trivial view's rate.
"""

import datetime as dt
import http.client
import multiprocessing
import os
import statistics
import time

import harness
from readings import machine, manage, recreate, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_bench_pages"
RATE_TARGET = 300.0
P95_TARGET = 100.0
RATIO_TARGET = 0.4
HEADING = "## Subscriber pages (issue 6)"
PORT = 8766


def generate(accounts: int, months: int, users: int) -> list[tuple[str, int]]:
    """The city and its history, in SQL; returns (session key, account id) for each client."""
    from decimal import Decimal as D

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction

    from abonent.billing.models import Norm, Service
    from abonent.housing.models import PersonalAccount
    from abonent.orgs.dates import add_months, month_start
    from abonent.testing import factories as f
    from abonent.users.models import AccountLink, User

    org = f.OrganisationFactory(code="bench")
    current = month_start(org.today())
    first = add_months(current, -months)
    M = Service.Method
    for order, (code, name, unit, method, price, resource, norm) in enumerate(
        [
            ("cold", "Холодное водоснабжение", "м³", M.METER, "45.27", "cold_water", "4.85"),
            ("upkeep", "Содержание жилого помещения", "м²", M.AREA, "28.45", "", None),
            ("heat", "Отопление", "Гкал", M.NORM, "2500.00", "heat", "0.0205"),
            ("intercom", "Домофон", "л/с", M.FIXED, "55.00", "", None),
        ]
    ):
        svc = Service.objects.create(
            organisation=org,
            code=code,
            name=name,
            unit=unit,
            method=method,
            resource=resource,
            sort_order=order,
        )
        f.TariffFactory(service=svc, valid_from=first, valid_to=None, price=D(price))
        if norm:
            f.NormFactory(service=svc, value=D(norm), basis=Norm.Basis.PER_M2)

    step = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO housing_building (organisation_id, address, total_area, common_area)
               SELECT %s, 'г. Ульяновск, ул. Бенчмарка, д. ' || g, 0, 900 FROM generate_series(1, %s) g""",
            [org.pk, (accounts + 99) // 100],
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
               SELECT %s, (7000000000 + p.id)::text, p.id, 'Иванов Иван Иванович', DATE '2020-01-01', '', ''
               FROM housing_premises p""",
            [org.pk],
        )
        cur.execute(
            """INSERT INTO metering_meter (premises_id, resource, serial_number, model_name, place, installed_on,
                   verification_due, digits_before, digits_after, initial_value, status)
               SELECT p.id, 'cold_water', 'C' || p.id, '', 'Ванная', DATE '2022-01-01', DATE '2030-01-01', 5, 3, 0,
                   'active'
               FROM housing_premises p"""
        )
        cur.execute(
            """INSERT INTO billing_billingperiod (organisation_id, month, state, readings_closed_at, calculated_at,
                   published_at)
               SELECT %s, m::date, 'published', now(), now(), now()
               FROM generate_series(%s::date, %s::date, interval '1 month') m""",
            [org.pk, first, add_months(current, -1)],
        )
        cur.execute(  # a published month's readings are closed (metering keeps that itself)
            """INSERT INTO metering_readingmonth (organisation_id, month, closed_at)
               SELECT %s, m::date, now() FROM generate_series(%s::date, %s::date, interval '1 month') m""",
            [org.pk, first, add_months(current, -1)],
        )
    print(f"  city of {accounts} accounts, {months} periods: {time.perf_counter() - step:.1f} s", flush=True)

    # Charges: volume varies by account and month; amount = round(volume × price, 2). The rows are consistent by
    # construction, so the foreign-key triggers are skipped for the bulk inserts (session_replication_role).
    step = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(
            """INSERT INTO billing_charge (account_id, period_id, service_id, meter_id, basis, previous_value,
                   current_value, volume, price, factor, factor_excess, amount, house_volume)
               SELECT a.id, bp.id, s.id, CASE WHEN s.code = 'cold' THEN m.id END,
                   CASE s.code WHEN 'cold' THEN 'meter' WHEN 'upkeep' THEN 'area' WHEN 'heat' THEN 'norm'
                        ELSE 'fixed' END,
                   NULL, NULL, v.volume, t.price, NULL, 0, round(v.volume * t.price, 2), NULL
               FROM housing_personalaccount a
               JOIN housing_premises p ON p.id = a.premises_id
               JOIN metering_meter m ON m.premises_id = p.id
               CROSS JOIN billing_billingperiod bp
               JOIN billing_service s ON s.organisation_id = bp.organisation_id
               JOIN billing_tariff t ON t.service_id = s.id
               CROSS JOIN LATERAL (SELECT CASE s.code
                   WHEN 'cold' THEN 3 + (a.id + extract(month FROM bp.month)::int) %% 10
                   WHEN 'upkeep' THEN p.total_area
                   WHEN 'heat' THEN round(p.total_area * 0.0205, 6)
                   ELSE 1 END::numeric AS volume) v
               WHERE a.organisation_id = %s AND bp.organisation_id = %s""",
            [org.pk, org.pk],
        )
    print(f"  charges: {time.perf_counter() - step:.1f} s", flush=True)

    step = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(
            """CREATE TEMP TABLE bench_sums AS
               SELECT c.account_id, c.period_id, bp.month, sum(c.amount) AS charged,
                   row_number() OVER (PARTITION BY c.account_id ORDER BY bp.month DESC) AS back
               FROM billing_charge c JOIN billing_billingperiod bp ON bp.id = c.period_id
               GROUP BY c.account_id, c.period_id, bp.month"""
        )
        # Charge entries (one per charge line, as publish writes them), then payments: each month paid in full
        # on the 10th of the next month, except the last month for a third of the accounts.
        cur.execute(
            """INSERT INTO billing_ledgerentry (account_id, period_id, kind, amount, occurred_on, source, source_id,
                   idempotency_key, created_at)
               SELECT c.account_id, c.period_id, 'charge', c.amount, bp.month, 'charge', c.id::text,
                   'bench-charge-' || c.id, now()
               FROM billing_charge c JOIN billing_billingperiod bp ON bp.id = c.period_id"""
        )
        cur.execute(
            """INSERT INTO billing_ledgerentry (account_id, period_id, kind, amount, occurred_on, source, source_id,
                   idempotency_key, created_at)
               SELECT s.account_id, s.period_id, 'payment', s.charged, s.month + 9, 'bench', '',
                   'bench-payment-' || s.account_id || '-' || s.period_id, now()
               FROM bench_sums s WHERE s.back > 1 OR s.account_id % 3 <> 0"""
        )
        cur.execute(
            """INSERT INTO billing_accountbalance (account_id, period_id, opening, charged, recalculated, penalties,
                   paid, closing)
               SELECT s.account_id, s.period_id, 0, s.charged, 0, 0,
                   CASE WHEN s.back > 1 OR s.account_id % 3 <> 0 THEN s.charged ELSE 0 END,
                   CASE WHEN s.back > 1 OR s.account_id % 3 <> 0 THEN 0 ELSE s.charged END
               FROM bench_sums s"""
        )
        cur.execute("DROP TABLE bench_sums")
    print(f"  ledger and balances: {time.perf_counter() - step:.1f} s", flush=True)
    step = time.perf_counter()
    connection.cursor().execute("VACUUM ANALYZE")
    print(f"  vacuum analyze: {time.perf_counter() - step:.1f} s", flush=True)

    # Subscribers: a user each, linked to an account spread over the city, with a session made directly.
    stride = max(1, accounts // max(users, 1))
    ids = list(PersonalAccount.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True))
    chosen = ids[::stride][:users]
    people = User.objects.bulk_create(
        [User(username=f"bench{i}", email=f"bench{i}@example.ru", password="!") for i in range(len(chosen))]
    )
    AccountLink.objects.bulk_create(
        [
            AccountLink(user=u, account_id=a, method=AccountLink.Method.OPERATOR)
            for u, a in zip(people, chosen, strict=True)
        ]
    )
    clients = []
    for user, account_id in zip(people, chosen, strict=True):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        clients.append((session.session_key, account_id))
    return clients


# --- HTTP ------------------------------------------------------------------------------------------------


def client_loop(args):
    """One client: keep-alive GETs until the deadline; returns (latencies in ms, failures, first failure)."""
    paths, session_key, seconds, start_at = args
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Cookie": f"sessionid={session_key}"} if session_key else {}
    latencies, failed, first_failure = [], 0, ""
    harness.wait_until(start_at)
    deadline = start_at + seconds
    i = 0
    while time.time() < deadline:
        path = paths[i % len(paths)]
        i += 1
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - began) * 1000
        if response.status == 200:
            latencies.append(elapsed)
        else:
            failed += 1
            first_failure = first_failure or f"{path} → {response.status}"
    conn.close()
    return latencies, failed, first_failure


def phase(pool, jobs, seconds: float) -> dict:
    start_at = time.time() + 1
    results = pool.map(client_loop, [(paths, key, seconds, start_at) for paths, key in jobs])
    return harness.figures(results, seconds, "pages")


def http_run(url: str, clients, workers: int, seconds: float) -> tuple[dict, dict]:
    with harness.gunicorn(url, PORT, workers):
        pages = [(["/cabinet/", f"/cabinet/accounts/{account}/"], key) for key, account in clients]
        trivial = [([harness.TRIVIAL], "") for _key, _account in clients]
        with multiprocessing.Pool(len(clients)) as pool:
            pool.map(client_loop, [(p, k, 1.0, time.time() + 0.5) for p, k in pages])  # warm every worker
            measured = phase(pool, pages, seconds)
            baseline = phase(pool, trivial, seconds)
    return measured, baseline


def existing_clients(users: int) -> list[tuple[str, int]]:
    """--reuse: sessions for the subscribers a --keep run left."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from abonent.users.models import AccountLink

    clients = []
    for link in AccountLink.objects.filter(user__username__startswith="bench").select_related("user")[:users]:
        session = SessionStore()
        session[SESSION_KEY] = str(link.user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = link.user.get_session_auth_hash()
        session.create()
        clients.append((session.session_key, link.account_id))
    return clients


def main() -> None:
    args = harness.arguments(__doc__, months=24)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not args.reuse:
        recreate(url)
    try:
        if not args.reuse:
            manage(url, "migrate", "-v0")
        setup_django(url)
        started = time.perf_counter()
        clients = existing_clients(args.clients) if args.reuse else generate(args.accounts, args.months, args.clients)
        if args.reuse:  # what the kept database holds, for the figures' heading
            args.accounts, args.months = harness.city_size()
        generated = time.perf_counter() - started
        print(f"generated in {generated:.0f} s", flush=True)
        from django.db import connection

        connection.close()  # the client processes are forked from this one
        runs = []
        for run in range(args.runs):
            pages, trivial = http_run(url, clients, args.workers, args.seconds)
            runs.append((pages, trivial))
            print(
                f"run {run + 1}: pages {pages['rate']:.0f}/s p50 {pages['p50']:.0f} ms p95 {pages['p95']:.0f} ms "
                f"({pages['ok']} ok, {pages['failed']} failed {pages['failures']}); trivial {trivial['rate']:.0f}/s "
                f"p95 {trivial['p95']:.0f} ms; ratio {pages['rate'] / trivial['rate']:.2f}",
                flush=True,
            )
        summary = {
            "rate": statistics.median(p["rate"] for p, _t in runs),
            "p50": statistics.median(p["p50"] for p, _t in runs),
            "p95": statistics.median(p["p95"] for p, _t in runs),
            "trivial": statistics.median(t["rate"] for _p, t in runs),
            "trivial_p95": statistics.median(t["p95"] for _p, t in runs),
            "ratio": statistics.median(p["rate"] / t["rate"] for p, t in runs),
        }
        print(
            f"median: {summary['rate']:.0f}/s (target ≥ {RATE_TARGET:.0f}), p95 {summary['p95']:.0f} ms "
            f"(target ≤ {P95_TARGET:.0f}), trivial {summary['trivial']:.0f}/s, ratio {summary['ratio']:.2f} "
            f"(target ≥ {RATIO_TARGET})"
        )
        if args.write:
            record(args, runs, summary, generated)
    finally:
        if not args.keep:
            harness.drop_database(url)


def record(args, runs, s, generated: float) -> None:
    met = harness.met
    harness.write_section(HEADING, [
        HEADING,
        "",
        f"`bench/pages.py --accounts {args.accounts} --months {args.months} --runs {args.runs} "
        f"--clients {args.clients} --workers {args.workers} --seconds {args.seconds:g}` on "
        f"{dt.date.today():%d.%m.%Y}, {machine()}, PostgreSQL on the same machine, clients on the same machine "
        f"(history generated in bulk SQL in {generated:.0f} s).",
        "",
        "| what | runs | median | target |",
        "|---|---|---|---|",
        "| home + account card, requests/s | "
        + ", ".join(f"{p['rate']:.0f}" for p, _t in runs)
        + f" | **{s['rate']:.0f}/s** | ≥ {RATE_TARGET:.0f}/s — {met(s['rate'] >= RATE_TARGET)} |",
        "| home + account card, p95 | "
        + ", ".join(f"{p['p95']:.0f} ms" for p, _t in runs)
        + f" | **{s['p95']:.0f} ms** (p50 {s['p50']:.0f} ms) | ≤ {P95_TARGET:.0f} ms — {met(s['p95'] <= P95_TARGET)} |",
        "| trivial Django view, requests/s | "
        + ", ".join(f"{t['rate']:.0f}" for _p, t in runs)
        + f" | {s['trivial']:.0f}/s (p95 {s['trivial_p95']:.0f} ms) | — |",
        "| pages / trivial | "
        + ", ".join(f"{p['rate'] / t['rate']:.2f}" for p, t in runs)
        + f" | **{s['ratio']:.2f}** | ≥ {RATIO_TARGET} — {met(s['ratio'] >= RATIO_TARGET)} |",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
