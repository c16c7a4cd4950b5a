"""Benchmark: the receipts jobs (issue 19) through real Celery workers — the printing house's merged PDF and the
e-mail mailing to a local SMTP sink, each with 1 and then 2 worker processes.

    BENCH_REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/jobs.py [--accounts 100000] [--write]
        [--url postgres://postgres@127.0.0.1:5432/abonent_jobs_bench] [--workers 1 2] [--phases export mail]

The register is bench/receipts.py's (bench/billing.py's city: 7 services, meters, a house meter; the database, whose
name must contain "bench", is dropped and re-created; two months closed and published by the engine), plus a
subscriber per account with receipts by e-mail. Each phase starts the job the operator's button starts
(`receipts.tasks.export_start(fmt="pdf")`, `mailing_start`) and times it from the start to the job's state
«finished» in the database: planned by a worker, its chunks (500 accounts for the export, 100 for the mailing, the
settings' defaults) run by any worker, the export's parts joined by the worker that ends the last chunk. The
workers are `celery -A abonent worker --concurrency 1` processes started before the job (their start is not timed)
on Redis (`BENCH_REDIS_URL`, a queue and key prefix of the run's own; nothing else in that database is touched);
the letters go to an aiosmtpd server in a process of the benchmark, which counts them. Before the mailing's second
run its deliveries are deleted, so both runs send every letter.

Prints per phase and worker count: the wall time, receipts/s, how many chunks each worker ran, each worker's peak
resident memory (VmHWM of its main process and of its pool process, read from /proc before it stops) and the ratio
of 2 workers to 1. Targets: 2 workers ≥ 1,7× one worker; a worker under 500 MB; the mailing of 100 000 receipts
with 2 workers within 10 minutes. `--write` records the figures in docs/BENCHMARKS.md with the machine, the date
and the load (uptime).
"""

import argparse
import datetime as dt
import importlib.util
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_jobs_bench"
HEADING = "## Jobs: receipts on Celery workers (issue 19)"
PHASES = {"export": "merged PDF for the printing house (receipts.export, pdf)", "mail": "e-mail mailing"}


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load() -> str:
    """`uptime`, its clock in UTC (Django sets TZ to the project's zone in this process)."""
    return subprocess.run(["uptime"], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}).stdout.strip()


def smtp_sink(port: int, count, ready) -> None:
    """An SMTP server that takes every letter and only counts it (a process of its own: the workers send to it)."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def subscribers(period) -> int:
    """A user with an e-mail per account of the period, receipts by e-mail on (bulk_create, in batches)."""
    from abonent.billing.models import AccountBalance
    from abonent.users.models import AccountLink, User

    accounts = list(AccountBalance.objects.filter(period=period).values_list("account_id", flat=True))
    users = User.objects.bulk_create(
        [User(username=f"bench{a}", email=f"bench{a}@example.test", password="!") for a in accounts], batch_size=5000
    )
    AccountLink.objects.bulk_create(
        [
            AccountLink(user=user, account_id=a, method=AccountLink.Method.OPERATOR, receipts_by_email=True)
            for user, a in zip(users, accounts, strict=True)
        ],
        batch_size=5000,
    )
    return len(accounts)


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a process (its peak resident set), MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat), s."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split() if (task / "children").exists() else []
        found += [int(child) for child in text]
    return found


class Workers:
    """`count` Celery workers, each `--concurrency 1` (a main process and one pool process), on the run's queue."""

    def __init__(self, count: int, env: dict, logs: Path):
        self.processes, self.logs = [], []
        for n in range(count):
            log = logs / f"worker{n}-{uuid.uuid4().hex[:6]}.log"
            command = [sys.executable, "-m", "celery", "-A", "abonent", "worker", "--concurrency", "1"]
            command += ["-Q", env["CELERY_QUEUE"], "-n", f"bench{n}@%h", "--without-gossip", "--without-mingle"]
            command += ["--without-heartbeat", "-l", "INFO"]
            handle = log.open("w")
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT))
            self.logs.append(log)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for process, log in zip(self.processes, self.logs, strict=True):
            while " ready." not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)

    def peaks(self) -> list[tuple[int, float, float]]:
        """Per worker: its main process's pid, the main's peak RSS and its pool processes' (MB)."""
        out = []
        for process in self.processes:
            pool = [peak_rss_mb(child) for child in children(process.pid)]
            out.append((process.pid, peak_rss_mb(process.pid), max(pool, default=0.0)))
        return out

    def cpu(self) -> float:
        """The CPU time of every worker process so far (main and pool), s."""
        return sum(cpu_seconds(pid) for p in self.processes for pid in [p.pid, *children(p.pid)])

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_phase(phase: str, period, workers: Workers) -> dict:
    """Start the phase's job, wait for it to finish; its wall time and which worker ran how many chunks."""
    from abonent.jobs.models import Job, JobChunk
    from abonent.receipts import tasks

    started, load_before, cpu_before = time.perf_counter(), os.getloadavg()[0], workers.cpu()
    job = tasks.export_start(period=period, fmt="pdf") if phase == "export" else tasks.mailing_start(period=period)
    while True:
        job.refresh_from_db()
        if job.state in (Job.State.FINISHED, Job.State.FAILED):
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    if job.state == Job.State.FAILED:
        sys.exit(f"the {phase} job failed: {job.error}")
    by = {}
    for result in JobChunk.objects.filter(job=job).values_list("result", flat=True):
        by[result.get("_by", "?")] = by.get(result.get("_by", "?"), 0) + 1
    size = job.result_file.size if job.result_file else 0
    if job.result_file:
        job.result_file.delete(save=False)
    return {
        "seconds": elapsed,
        "receipts": job.total,
        "result": job.result,
        "chunks_by_worker": sorted(by.values(), reverse=True),
        "bytes": size,
        "load": (load_before, os.getloadavg()[0]),
        "peaks": workers.peaks(),
        "cpu": workers.cpu() - cpu_before,
    }


def measure(args, period, env: dict, logs: Path, sink) -> dict:
    from abonent.receipts.models import ReceiptDelivery

    results = {}
    for phase in args.phases:
        for count in args.workers:
            if phase == "mail":
                ReceiptDelivery.objects.filter(period=period).delete()  # every run sends every letter
                sink.value = 0
            workers = Workers(count, env, logs)
            try:
                workers.wait_ready()
                result = run_phase(phase, period, workers)
            finally:
                workers.stop()
            if phase == "mail":
                result["smtp"] = sink.value
            results[phase, count] = result
            print(describe(phase, count, result), flush=True)
    return results


def describe(phase: str, count: int, r: dict) -> str:
    peaks = "; ".join(f"main {main:.0f} MB, pool {pool:.0f} MB" for _, main, pool in r["peaks"])
    extra = f", {r['smtp']} letters taken by the SMTP sink" if "smtp" in r else f", file {r['bytes'] / 2**20:.1f} MiB"
    return (
        f"{PHASES[phase]}, {count} worker(s): {r['receipts']} receipts in {r['seconds']:.1f} s = "
        f"{r['receipts'] / r['seconds']:.0f} receipts/s (load average {r['load'][0]:.1f} → {r['load'][1]:.1f}); "
        f"workers' CPU {r['cpu']:.1f} s = {r['receipts'] / max(r['cpu'], 0.01):.0f} receipts per CPU-second; "
        f"chunks per worker {r['chunks_by_worker']}; peak RSS {peaks}{extra}; result {r['result']}"
    )


def ratios(results: dict, args) -> dict[str, float]:
    out = {}
    for phase in args.phases:
        if (phase, 1) in results and (phase, 2) in results:
            out[phase] = results[phase, 1]["seconds"] / results[phase, 2]["seconds"]
            print(f"{PHASES[phase]}: 2 workers / 1 worker = {out[phase]:.2f}× (target ≥ 1.7)", flush=True)
    return out


def section(args, results: dict, rates: dict, machine: str, loads: tuple[str, str]) -> str:
    rows = []
    for (phase, count), r in results.items():
        worst = max(max(main, pool) for _, main, pool in r["peaks"])
        rows.append(
            f"| {PHASES[phase]} | {count} | {r['seconds']:.1f} s | {r['receipts'] / r['seconds']:.0f}/s | "
            f"{r['cpu']:.0f} s, {r['receipts'] / max(r['cpu'], 0.01):.0f}/s | "
            f"{r['chunks_by_worker']} | {worst:.0f} MB | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    ratio_lines = [f"- {PHASES[p]}: 2 workers ÷ 1 worker = **{v:.2f}×** (target ≥ 1,7)." for p, v in rates.items()]
    return "\n".join(
        [
            HEADING,
            "",
            f"`bench/jobs.py --accounts {args.accounts}` on {dt.date.today():%d.%m.%Y}, {machine}, Redis and "
            "PostgreSQL on the same machine, each worker `celery -A abonent worker --concurrency 1`.",
            f"Load: `{loads[0]}` before, `{loads[1]}` after.",
            "",
            "| job | workers | wall time | receipts/s | workers' CPU time, receipts per CPU-second | chunks per worker "
            "| peak RSS of a worker process | load |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *ratio_lines,
            "- Peak RSS: VmHWM of each worker's main and pool process read from /proc before it stops, the larger "
            "shown (target < 500 MB).",
            "",
        ]
    )


def environment(url: str, redis: str, media: Path) -> dict:
    """What the benchmark and its workers run with: the bench database, the run's own queue and Redis key prefix."""
    queue = f"bench-jobs-{uuid.uuid4().hex[:8]}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": redis,
        "CELERY_QUEUE": queue,
        "CELERY_TRANSPORT_OPTIONS": json.dumps({"global_keyprefix": f"{queue}:"}),
        "MEDIA_ROOT": str(media),
        # DEBUG=1 as in the worker tests: DEBUG=0 asks for the production keys and payment provider; Django's
        # query log under DEBUG is capped (9 000 queries), it does not grow a worker's memory without bound.
        "DEBUG": "1",
        "SITE_URL": "http://bench.local",
    }


def drop_keys(redis_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{queue}:*"):
        client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    default_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument("--url", default=default_url if "bench" in default_url else DEFAULT_URL)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--phases", nargs="+", choices=sorted(PHASES), default=["export", "mail"])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
    media = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    env = environment(args.url, redis_url, media)
    port = _free_port()
    env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ.update(env)

    context = multiprocessing.get_context("fork")
    count, ready = context.Value("l", 0), context.Event()
    sink = context.Process(target=smtp_sink, args=(port, count, ready), daemon=True)
    sink.start()
    ready.wait(30)
    loads = [load()]
    print(f"{loads[0]}; database {args.url}, broker {redis_url} (queue {env['CELERY_QUEUE']})", flush=True)
    started = time.perf_counter()
    period = _bench("receipts").setup(args.url, args.accounts)
    _clear_setup_jobs(env["CELERY_QUEUE"])
    subscribed = subscribers(period)
    print(f"register of {subscribed} subscribed accounts made in {time.perf_counter() - started:.0f} s", flush=True)
    from django.db import connections

    connections.close_all()
    try:
        results = measure(args, period, env, media, count)
    finally:
        sink.terminate()
        drop_keys(redis_url, env["CELERY_QUEUE"])
    rates = ratios(results, args)
    loads.append(load())
    print(loads[1])
    if args.write:
        city = _bench("seed_city")
        city.write_section(section(args, results, rates, city.machine(args.url), tuple(loads)), HEADING)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clear_setup_jobs(queue: str) -> None:
    """Publishing in the setup queued the mailings of the two months (nobody was subscribed yet): drop them and
    their messages, so the timed jobs are the only ones."""
    from celery import current_app

    from abonent.jobs.models import Job

    Job.objects.all().delete()
    with current_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


if __name__ == "__main__":
    main()
