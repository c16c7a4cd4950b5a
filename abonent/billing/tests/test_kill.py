"""A close killed with SIGKILL in the middle leaves the period as it was; the rerun completes it (PostgreSQL: the
killed process must share the database with the test, which SQLite's in-memory test database cannot)."""

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from abonent.billing import cycle
from abonent.billing.models import AccountBalance, BillingPeriod, Charge, PeriodRun

ROOT = Path(__file__).resolve().parents[3]


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_billing", ROOT / "bench" / "billing.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_sigkill_during_calculate_leaves_no_half_period():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database shared with a second process")
    bench = load_generator()
    org = bench.generate(10_000)
    month = bench.MONTH
    cycle.period_close(organisation=org, month=month, step="close_readings")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "close_period", "--skip-checks", "--no-progress"]
        + ["--org", org.code, "--period", f"{month:%Y-%m}", "--step", "calculate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not PeriodRun.objects.filter(period__organisation=org, step="calculate").exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the calculation of 10 000 accounts (several seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()

    period = BillingPeriod.objects.get(organisation=org, month=month)
    written = Charge.objects.filter(period=period).count()
    # Untouched (the usual outcome: killed before its commit) or, on a very fast machine, complete; never half.
    assert (period.state, written) in [
        (BillingPeriod.State.READINGS_CLOSED, 0),
        (BillingPeriod.State.CALCULATED, 70_000),
    ]
    assert AccountBalance.objects.filter(period=period).count() in (0, 10_000)

    period = cycle.period_close(organisation=org, month=month, step="calculate")
    assert period.state == BillingPeriod.State.CALCULATED
    assert Charge.objects.filter(period=period).values("account").distinct().count() == 10_000
    assert AccountBalance.objects.filter(period=period).count() == 10_000
