"""Benchmark: receipts (issue 7) on PostgreSQL — one on demand, and a period's batch on both cores.

    .venv/bin/python bench/receipts.py [--accounts 10000] [--workers 2] [--url postgres://.../abonent_h8_bench]

The register is bench/billing.py's (7 services, meters, a house meter; the database, whose name must contain
"bench", is dropped and re-created), the previous month and this month are closed and published by the engine.

Timed:
- on demand: receipt_for + a one-receipt PDF, the first in the process (fonts parsed) and the median of 20 warm;
- batch: every account's receipt, the accounts split between `--workers` processes, each reading in chunks of
  500 (six queries a chunk) and writing a merged PDF per chunk (the printing house's export); then a sample
  rendered one PDF per receipt (what the e-mail and the ZIP make: fonts parsed per document). Prints receipts
  per second and the projected time for 100 000.
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
    """Render the receipts of `ids`, each as its own PDF or a merged PDF per chunk; returns (receipts, bytes)."""
    url, period_id, ids, separate = args
    django_setup(url)
    from abonent.billing.models import BillingPeriod
    from abonent.receipts import pdf, selectors

    period = BillingPeriod.objects.select_related("organisation").get(pk=period_id)
    count = size = 0
    cpu = time.process_time()
    for start in range(0, len(ids), CHUNK):
        receipts = selectors.receipts_for(period=period, account_ids=ids[start : start + CHUNK])
        if separate:
            size += sum(len(pdf.render([receipt])) for receipt in receipts)
        else:
            size += len(pdf.render(receipts))
        count += len(receipts)
    return count, size, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--batch", type=int, default=10_000, help="accounts in the merged-PDF batch")
    parser.add_argument("--separate-sample", type=int, default=1000, help="accounts for the one-PDF-each batch")
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
    for label, sample, separate in (
        ("merged PDF per 500 (printing house)", ids[: args.batch], False),
        ("one PDF per receipt (e-mail, ZIP)", ids[: args.separate_sample], True),
    ):
        parts = [sample[i :: args.workers] for i in range(args.workers)]
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            results = pool.map(worker, [(args.url, period.pk, sorted(part), separate) for part in parts])
        elapsed = time.perf_counter() - started
        count = sum(r[0] for r in results)
        size = sum(r[1] for r in results)
        cpu = max(r[2] for r in results)
        rate = count / elapsed
        # On a shared machine the wall clock includes other people's work; the workers' own CPU time is what
        # the same batch takes with both cores to itself.
        print(
            f"batch, {label}: {count} receipts in {elapsed:.1f} s on {args.workers} processes = {rate:.0f} "
            f"receipts/s (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after), "
            f"{size / count / 1024:.1f} KiB a receipt; "
            f"projected 100 000 in {100_000 / rate:.0f} s; by the workers' CPU time {count / cpu:.0f} receipts/s, "
            f"100 000 in {100_000 * cpu / count:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
