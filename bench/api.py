"""Benchmark: the public API (issue 23) on N accounts with published history, PostgreSQL, under gunicorn.

    .venv/bin/python bench/api.py [--accounts 100000] [--months 12] [--runs 3] [--clients 8] [--workers 4]
                                  [--seconds 15] [--keep] [--reuse] [--write]

1. Fresh database and the city with its history in bulk SQL: bench/pages.py's generator (one organisation, N
   accounts, a cold-water meter each, `--months` published months with charges, ledger and balances). Each of the
   `--clients` subscribers gets a personal access token (write scope), made by the API's own tokens.token_create.
   The organisation takes readings every day of the month, so the window is open whatever the date.
2. HTTP: gunicorn (sync workers) with bench/pages_settings.py (the project plus a trivial view). Phase "account":
   each client GETs /api/v1/accounts/<its account>/ (the debt and the last month's balance) with its token,
   keep-alive, for `--seconds`; phase "trivial": the same clients GET the trivial view; phase "readings": each
   client POSTs its meter's reading (confirm=true, a litre more each time) to /api/v1/accounts/<id>/readings/.
   Targets: account ≥ 300 requests/s, p95 ≤ 100 ms, ≥ 0.4 of the trivial view's rate; readings ≥ 200/s.
"""

import datetime as dt
import http.client
import json
import multiprocessing
import os
import statistics
import time

# This benchmark's own Redis database (recreate() empties it): not the one another benchmark or helper uses.
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

import harness
from pages import generate
from readings import machine, manage, recreate, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_bench_h23"
RATE_TARGET = 300.0
P95_TARGET = 100.0
RATIO_TARGET = 0.4
READINGS_TARGET = 200.0
HEADING = "## Public API (issue 23)"
PORT = 8767


def prepare(accounts: int, months: int, users: int) -> list[dict]:
    """The city, a token and the meter of each client's account."""
    from django.db.models import Max

    from abonent.api import tokens
    from abonent.metering.models import Meter, Reading
    from abonent.orgs.models import Organisation
    from abonent.users.models import AccountLink

    if accounts:
        sessions = generate(accounts, months, users)
        account_ids = [account_id for _session, account_id in sessions]
    else:  # --reuse: the subscribers a --keep run left
        bench_links = AccountLink.objects.filter(user__username__startswith="bench").order_by("pk")
        account_ids = list(bench_links.values_list("account_id", flat=True)[:users])
    Organisation.objects.filter(code="bench").update(readings_first_day=1, readings_last_day=31)
    clients = []
    for account_id in account_ids:
        link = AccountLink.objects.select_related("user", "account").get(account_id=account_id)
        _, raw = tokens.token_create(user=link.user, name="bench", scope="write")
        meter = Meter.objects.filter(premises_id=link.account.premises_id).values_list("pk", flat=True).first()
        last = Reading.objects.filter(meter_id=meter).aggregate(Max("value"))["value__max"]
        clients.append({"token": raw, "account": account_id, "meter": meter, "value": float(last or 10) + 0.01})
    return clients


def client_loop(args):
    """One client: keep-alive requests until the deadline; returns (latencies in ms of 2xx, failures, first)."""
    kind, client, seconds, start_at = args
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Authorization": f"Bearer {client['token']}"} if kind != "trivial" else {}
    latencies, failed, first_failure = [], 0, ""
    value = client["value"]  # a litre more each time, from what an earlier run (--reuse) left
    harness.wait_until(start_at)
    deadline = start_at + seconds
    while time.time() < deadline:
        began = time.perf_counter()
        if kind == "readings":
            value += 0.001
            body = json.dumps({"readings": [{"meter": client["meter"], "value": f"{value:.3f}"}], "confirm": True})
            conn.request("POST", f"/api/v1/accounts/{client['account']}/readings/", body=body,
                         headers={**headers, "Content-Type": "application/json"})  # fmt: skip
        elif kind == "account":
            conn.request("GET", f"/api/v1/accounts/{client['account']}/", headers=headers)
        else:
            conn.request("GET", harness.TRIVIAL)
        response = conn.getresponse()
        text = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        if 200 <= response.status < 300:
            latencies.append(elapsed)
        else:
            failed += 1
            first_failure = first_failure or f"{kind} → {response.status} {text[:200]!r}"
    conn.close()
    return latencies, failed, first_failure


def phase(pool, kind: str, clients, seconds: float) -> dict:
    start_at = time.time() + 1
    return harness.figures(pool.map(client_loop, [(kind, c, seconds, start_at) for c in clients]), seconds, kind)


def http_run(url: str, clients, workers: int, seconds: float) -> dict:
    # The API's rate limit per token is for residents' apps, not for a load test of the server.
    server = harness.gunicorn(url, PORT, workers, API_RATE_PER_TOKEN="1000000/min")
    with server, multiprocessing.Pool(len(clients)) as pool:
        pool.map(client_loop, [("account", c, 1.0, time.time() + 0.5) for c in clients])  # warm every worker
        result = {}
        for kind in ("account", "trivial", "readings"):
            result[kind] = phase(pool, kind, clients, seconds)
            print(f"  {kind}: {result[kind]['rate']:.0f}/s p95 {result[kind]['p95']:.0f} ms", flush=True)
    return result


def main() -> None:
    args = harness.arguments(__doc__, months=12)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not args.reuse:
        recreate(url)
    try:
        if not args.reuse:
            manage(url, "migrate", "-v0")
        setup_django(url)
        started = time.perf_counter()
        clients = prepare(0 if args.reuse else args.accounts, args.months, args.clients)
        if args.reuse:  # what the kept database holds, for the figures' heading
            args.accounts, args.months = harness.city_size()
        generated = time.perf_counter() - started
        print(f"generated in {generated:.0f} s", flush=True)
        from django.db import connection

        connection.close()  # the client processes are forked from this one
        runs = []
        for run in range(args.runs):
            r = http_run(url, clients, args.workers, args.seconds)
            runs.append(r)
            a, t, w = r["account"], r["trivial"], r["readings"]
            print(
                f"run {run + 1}: account {a['rate']:.0f}/s p50 {a['p50']:.0f} ms p95 {a['p95']:.0f} ms "
                f"({a['failed']} failed {a['failures']}); trivial {t['rate']:.0f}/s; ratio {a['rate'] / t['rate']:.2f}; "
                f"readings {w['rate']:.0f}/s p95 {w['p95']:.0f} ms ({w['failed']} failed {w['failures']})",
                flush=True,
            )
        summary = summarise(runs)
        print(
            f"median: account {summary['rate']:.0f}/s (≥ {RATE_TARGET:.0f}), p95 {summary['p95']:.0f} ms "
            f"(≤ {P95_TARGET:.0f}), trivial {summary['trivial']:.0f}/s, ratio {summary['ratio']:.2f} "
            f"(≥ {RATIO_TARGET}); readings {summary['readings']:.0f}/s (≥ {READINGS_TARGET:.0f})"
        )
        if args.write:
            record(args, runs, summary, generated)
    finally:
        if not args.keep:
            harness.drop_database(url)


def summarise(runs) -> dict:
    return {
        "rate": statistics.median(r["account"]["rate"] for r in runs),
        "p50": statistics.median(r["account"]["p50"] for r in runs),
        "p95": statistics.median(r["account"]["p95"] for r in runs),
        "trivial": statistics.median(r["trivial"]["rate"] for r in runs),
        "ratio": statistics.median(r["account"]["rate"] / r["trivial"]["rate"] for r in runs),
        "readings": statistics.median(r["readings"]["rate"] for r in runs),
        "readings_p95": statistics.median(r["readings"]["p95"] for r in runs),
    }


def record(args, runs, s, generated: float) -> None:
    met = harness.met

    def each(kind, key, fmt="{:.0f}"):
        return ", ".join(fmt.format(r[kind][key]) for r in runs)

    lines = [
        HEADING,
        "",
        f"`bench/api.py --accounts {args.accounts} --months {args.months} --runs {args.runs} --clients "
        f"{args.clients} --workers {args.workers} --seconds {args.seconds:g}` on {dt.date.today():%d.%m.%Y}, "
        f"{machine()}, PostgreSQL and the clients on the same machine, shared with other work (history in bulk SQL, "
        f"{generated:.0f} s).",
        "",
        "| what | runs | median | target |",
        "|---|---|---|---|",
        f"| GET /api/v1/accounts/<id>/, requests/s | {each('account', 'rate')} | **{s['rate']:.0f}/s** | "
        f"≥ {RATE_TARGET:.0f}/s — {met(s['rate'] >= RATE_TARGET)} |",
        f"| GET /api/v1/accounts/<id>/, p95 | {each('account', 'p95', '{:.0f} ms')} | **{s['p95']:.0f} ms** "
        f"(p50 {s['p50']:.0f} ms) | ≤ {P95_TARGET:.0f} ms — {met(s['p95'] <= P95_TARGET)} |",
        f"| trivial Django view, requests/s | {each('trivial', 'rate')} | {s['trivial']:.0f}/s | — |",
        "| account / trivial | "
        + ", ".join(f"{r['account']['rate'] / r['trivial']['rate']:.2f}" for r in runs)
        + f" | **{s['ratio']:.2f}** | ≥ {RATIO_TARGET} — {met(s['ratio'] >= RATIO_TARGET)} |",
        f"| POST readings (confirmed), per second | {each('readings', 'rate')} | **{s['readings']:.0f}/s** "
        f"(p95 {s['readings_p95']:.0f} ms) | ≥ {READINGS_TARGET:.0f}/s — {met(s['readings'] >= READINGS_TARGET)} |",
    ]
    harness.write_section(HEADING, lines)


if __name__ == "__main__":
    main()
