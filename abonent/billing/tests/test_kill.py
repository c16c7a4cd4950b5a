"""A close killed with SIGKILL in the middle leaves the period as it was; the rerun completes it (PostgreSQL: the
killed process must share the database with the test, which SQLite's in-memory test database cannot)."""

import datetime as dt
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from abonent.billing import cycle
from abonent.billing.models import AccountBalance, BillingPeriod, Charge, PeriodRun
from abonent.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_billing", ROOT / "bench" / "billing.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_sigkill_during_calculate_leaves_no_half_period(client):
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
    # The back office says the killed run was cut off (once the server has dropped its connection, within seconds)
    # rather than "running" forever.
    killed = PeriodRun.objects.get(period=period, step="calculate")
    assert killed.status == PeriodRun.Status.RUNNING
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    page = reverse("admin:billing_billingperiod_change", args=[period.pk])
    deadline = time.monotonic() + 30
    while "Прервано" not in client.get(page).content.decode():
        assert time.monotonic() < deadline, "the killed run still shows as running"
        time.sleep(0.5)

    period = cycle.period_close(organisation=org, month=month, step="calculate")
    assert period.state == BillingPeriod.State.CALCULATED
    assert Charge.objects.filter(period=period).values("account").distinct().count() == 10_000
    assert AccountBalance.objects.filter(period=period).count() == 10_000
    killed.refresh_from_db()
    assert killed.status == PeriodRun.Status.INTERRUPTED
    assert list(period.runs.filter(step="calculate").values_list("status", flat=True)) == ["done", "interrupted"]
    assert "Прервано" in client.get(page).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_running_step_shows_as_running_while_its_process_lives():
    if connection.vendor != "postgresql":
        pytest.skip("the lock of a running step is PostgreSQL's")
    account = f.PersonalAccountFactory()
    svc = f.ServiceFactory(organisation=account.organisation, method="fixed", resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None)
    period = BillingPeriod.objects.create(organisation=account.organisation, month=dt.date(2026, 10, 1))
    started = threading.Event()
    finish = threading.Event()

    def progress(done, total):  # the step waits here, inside its transaction, holding the period's lock
        started.set()
        finish.wait(20)

    def close():
        try:
            cycle.period_close(organisation=period.organisation, month=period.month, progress=progress)
        finally:
            connection.close()  # the thread's own connection

    worker = threading.Thread(target=close)
    worker.start()
    try:
        assert started.wait(20)
        run = PeriodRun.objects.get(period=period, step="calculate")
        assert not cycle.run_is_interrupted(run) and cycle.run_status_label(run) == "Выполняется"
    finally:
        finish.set()
        worker.join()
    run.refresh_from_db()
    assert run.status == PeriodRun.Status.DONE
