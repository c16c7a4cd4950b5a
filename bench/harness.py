"""What the HTTP benchmarks share (pages.py, api.py): their command line, gunicorn with the trivial view
(bench/pages_settings.py), the figures of a phase of keep-alive clients, dropping the database, and their section
of docs/BENCHMARKS.md."""

import argparse
import contextlib
import http.client
import subprocess
import sys
import time
from pathlib import Path

from readings import ROOT, env_for

TRIVIAL = "/bench-trivial/"


def arguments(doc: str, *, months: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=months)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--reuse", action="store_true", help="measure again on the database a --keep run left")
    parser.add_argument("--write", action="store_true")
    return parser.parse_args()


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    base, name = url.rsplit("/", 1)
    import psycopg

    with psycopg.connect(base.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def gunicorn(url: str, port: int, workers: int, **env):
    """The project with the trivial view under gunicorn (sync workers) on 127.0.0.1:`port`, up and answering."""
    environment = {**env_for(url), "DJANGO_SETTINGS_MODULE": "bench.pages_settings", **env}
    command = [str(Path(sys.executable).parent / "gunicorn"), "abonent.wsgi", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "-w", str(workers), "--log-level", "warning"], cwd=ROOT, env=environment)
    try:
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", TRIVIAL)
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(60)  # a loaded machine: the workers finish their last requests first
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def figures(results, seconds: float, what: str) -> dict:
    """One phase's figures from its clients' (latencies in ms of the successful requests, failures, first failure)."""
    latencies = sorted(x for r in results for x in r[0])
    failures = [r[2] for r in results if r[2]]
    if not latencies:
        sys.exit(f"{what}: no successful request: {failures[:3]}")
    return {
        "rate": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[int(len(latencies) * 0.95)],
        "ok": len(latencies),
        "failed": sum(r[1] for r in results),
        "failures": failures[:3],
    }


def city_size() -> tuple[int, int]:
    """(accounts, published months) of the bench organisation a --keep run left."""
    from abonent.billing.models import BillingPeriod
    from abonent.housing.models import PersonalAccount

    accounts = PersonalAccount.objects.filter(organisation__code="bench").count()
    return accounts, BillingPeriod.objects.filter(organisation__code="bench", state="published").count()


def wait_until(start_at: float) -> None:
    while time.time() < start_at:
        time.sleep(0.005)


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def write_section(heading: str, lines: list[str]) -> None:
    """Replace (or add) the section under `heading` in docs/BENCHMARKS.md."""
    section = "\n".join(lines) + "\n"
    doc = ROOT / "docs" / "BENCHMARKS.md"
    text = doc.read_text(encoding="utf-8")
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")
