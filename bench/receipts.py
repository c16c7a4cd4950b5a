"""Benchmark: receipts (issue 7) on PostgreSQL — one on demand, and a period's batch on both cores.

    .venv/bin/python bench/receipts.py [--accounts 10000] [--workers 2] [--url postgres://.../abonent_h8_bench]

The register is bench/billing.py's (7 services, meters, a house meter; the database, whose name must contain
"bench", is dropped and re-created), the previous month and this month are closed and published by the engine.

Timed:
- on demand: receipt_for + a one-receipt PDF, the first in the process (fonts parsed) and the median of 20 warm;
- batch: every account's receipt, the accounts split between `--workers` processes, each reading in chunks of
  500 (six queries a chunk) and writing, in turn and `--rounds` times over the same accounts:
  a merged PDF per chunk (the printing house's export), and one PDF per receipt (what the e-mail and the ZIP
  make: `pdf.render_separate`, the chunk drawn once and cut into files). Prints receipts per second, the
  projected time for 100 000 and, per round, separate / merged: the target is ≥ 0,6 (issue 19).
- `--slow-sample N`: also N receipts rendered one document each (`pdf.render([receipt])`, fonts parsed and
  subset per file: the path before `render_separate`), once, for comparison.
"""

import argparse
import importlib.util
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_h8_bench"
CHUNK = 500


def _billing_bench():
    spec = importlib.util.spec_from_file_location("bench_billing", ROOT / "bench" / "billing.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup(url: str, accounts: int):
    bb = _billing_bench()
    bb.recreate(url)
    os.environ["DATABASE_URL"] = url
    subprocess.run([sys.executable, "manage.py", "migrate", "--skip-checks", "-v0"], cwd=ROOT, check=True)
    django_setup(url)
    from django.db import connection

    from abonent.billing import cycle
    from abonent.billing.models import BillingPeriod

    org = bb.generate(accounts)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    cycle.period_close(organisation=org, month=bb.MONTH.replace(month=bb.MONTH.month - 1))
    cycle.period_close(organisation=org, month=bb.MONTH)
    return BillingPeriod.objects.get(organisation=org, month=bb.MONTH)


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abonent.settings")
    import django

    django.setup()


def worker(args) -> tuple[int, int, float]:
    """Render the receipts of `ids` in `mode` ("merged", "separate" or "slow"); returns (receipts, bytes, CPU s)."""
    url, period_id, ids, mode = args
    django_setup(url)
    from abonent.billing.models import BillingPeriod
    from abonent.receipts import pdf, selectors

    period = BillingPeriod.objects.select_related("organisation").get(pk=period_id)
    count = size = 0
    cpu = time.process_time()
    for start in range(0, len(ids), CHUNK):
        receipts = selectors.receipts_for(period=period, account_ids=ids[start : start + CHUNK])
        if mode == "merged":
            size += len(pdf.render(receipts))
        elif mode == "separate":
            size += sum(map(len, pdf.render_separate(receipts)))
        else:
            size += sum(len(pdf.render([receipt])) for receipt in receipts)
        count += len(receipts)
    return count, size, time.process_time() - cpu


def batch(args, period, sample: list[int], mode: str) -> tuple[float, float]:
    """One batch on `args.workers` processes; prints it, returns (receipts/s by the wall clock, by CPU)."""
    labels = {
        "merged": "merged PDF per 500 (printing house)",
        "separate": "one PDF per receipt (e-mail, ZIP), render_separate",
        "slow": "one PDF per receipt, a document each (before render_separate)",
    }
    parts = [sample[i :: args.workers] for i in range(args.workers)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(worker, [(args.url, period.pk, sorted(part), mode) for part in parts])
    elapsed = time.perf_counter() - started
    count = sum(r[0] for r in results)
    size = sum(r[1] for r in results)
    cpu = max(r[2] for r in results)
    rate = count / elapsed
    # On a shared machine the wall clock includes other people's work; the workers' own CPU time is what
    # the same batch takes with both cores to itself.
    print(
        f"batch, {labels[mode]}: {count} receipts in {elapsed:.1f} s on {args.workers} processes = {rate:.0f} "
        f"receipts/s (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after), "
        f"{size / count / 1024:.1f} KiB a receipt; "
        f"projected 100 000 in {100_000 / rate:.0f} s; by the workers' CPU time {count / cpu:.0f} receipts/s, "
        f"100 000 in {100_000 * cpu / count:.0f} s",
        flush=True,
    )
    return rate, count / cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--batch", type=int, default=10_000, help="accounts in each batch (merged and separate)")
    parser.add_argument("--rounds", type=int, default=3, help="merged then separate, this many times")
    parser.add_argument("--slow-sample", type=int, default=0, help="accounts rendered a document each, for comparison")
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} CPU, Python {platform.python_version()}", flush=True)
    started = time.perf_counter()
    period = setup(args.url, args.accounts)
    print(
        f"register of {args.accounts} accounts generated and two months closed in {time.perf_counter() - started:.0f} s"
    )

    from django.db import connections

    from abonent.billing.models import AccountBalance
    from abonent.housing.models import PersonalAccount
    from abonent.receipts import pdf, selectors

    ids = list(AccountBalance.objects.filter(period=period).order_by("account_id").values_list("account_id", flat=True))
    account = PersonalAccount.objects.select_related("organisation").get(pk=ids[len(ids) // 2])

    def one() -> tuple[float, float]:
        t, cpu = time.perf_counter(), time.process_time()
        pdf.render([selectors.receipt_for(account=account, period=period)])
        return time.perf_counter() - t, time.process_time() - cpu

    cold, _ = one()
    warm = [one() for _ in range(20)]
    print(
        f"one receipt on demand: first in the process {cold * 1000:.0f} ms, warm median "
        f"{statistics.median(w for w, _ in warm) * 1000:.0f} ms wall, "
        f"{statistics.median(c for _, c in warm) * 1000:.0f} ms of the process's CPU "
        f"(load average {os.getloadavg()[0]:.1f})"
    )

    connections.close_all()  # the workers open their own
    sample = ids[: args.batch]
    ratios, cpu_ratios = [], []
    for round_number in range(1, args.rounds + 1):
        # Both paths over the same accounts, one right after the other: the ratio is what the load disturbs least.
        merged, merged_cpu = batch(args, period, sample, "merged")
        separate, separate_cpu = batch(args, period, sample, "separate")
        ratios.append(separate / merged)
        cpu_ratios.append(separate_cpu / merged_cpu)
        print(
            f"round {round_number}: separate / merged = {ratios[-1]:.2f} by the wall clock, "
            f"{cpu_ratios[-1]:.2f} by the workers' CPU time (target ≥ 0.6)",
            flush=True,
        )
    print(
        f"median of {args.rounds} rounds: separate / merged = {statistics.median(ratios):.2f} wall, "
        f"{statistics.median(cpu_ratios):.2f} CPU"
    )
    if args.slow_sample:
        batch(args, period, ids[: args.slow_sample], "slow")


if __name__ == "__main__":
    main()
