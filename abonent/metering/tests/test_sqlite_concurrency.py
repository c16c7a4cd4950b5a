"""SQLite under concurrent writers: 8 subscribers sending readings at once to gunicorn with 2 workers get no
"database is locked" (HTTP 500). Real processes, a real file, real HTTP: the lock is between processes.

Runs in the SQLite run only: on PostgreSQL row locks do this job and the test says nothing.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
CLIENTS, SUBMISSIONS = 8, 10

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file lock only")

SEED = """
import json, datetime as dt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from abonent.testing import factories as f

org = f.OrganisationFactory(readings_first_day=1, readings_last_day=31)  # open whatever today is
clients = []
for i in range(%(clients)d):
    link = f.AccountLinkFactory(account__premises__building__organisation=org)
    meter = f.MeterFactory(premises=link.account.premises, verification_due=dt.date(2099, 1, 1))
    session = SessionStore()
    session[SESSION_KEY] = str(link.user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = link.user.get_session_auth_hash()
    session.create()
    clients.append([session.session_key, link.account.pk, meter.pk])
print(json.dumps(clients))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="abonent.settings",
        DEBUG="1",  # the lock is the same with DEBUG=0; development mode needs no production settings
        LOG_LEVEL="ERROR",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [python, "manage.py", "shell", "-c", SEED % {"clients": CLIENTS}],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    clients = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    gunicorn = Path(python).parent / "gunicorn"
    args = [str(gunicorn), "abonent.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "warning"]
    process = subprocess.Popen(args, cwd=ROOT, env=env)
    try:
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/login/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        yield port, clients
    finally:
        process.terminate()
        process.wait(15)


def submit_readings(port: int, session_key: str, account_id: int, meter_id: int, start: threading.Event, out: list):
    path = f"/cabinet/accounts/{account_id}/readings/"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": f"sessionid={session_key}"})
    response = conn.getresponse()
    body = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    assert token and csrf, f"GET {path}: {response.status}"
    headers = {
        "Cookie": f"sessionid={session_key}; csrftoken={csrf.group(1)}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    start.wait()
    for i in range(SUBMISSIONS):
        data = {"csrfmiddlewaretoken": token.group(1), f"value_{meter_id}": f"{i + 1},5", "action": "submit"}
        conn.request("POST", path, body=urlencode({**data, "confirm": "1"}), headers=headers)
        response = conn.getresponse()
        response.read()
        out.append(response.status)
    conn.close()


def test_eight_clients_sending_readings_at_once_get_no_errors(server):
    port, clients = server
    start, statuses = threading.Event(), []
    threads = [threading.Thread(target=submit_readings, args=(port, *client, start, statuses)) for client in clients]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # every client has its form: now all at once
    start.set()
    for thread in threads:
        thread.join(120)
    assert len(statuses) == CLIENTS * SUBMISSIONS
    errors = [s for s in statuses if s != 302]
    assert not errors, f"{len(errors)} of {len(statuses)} submissions failed: {sorted(set(errors))}"
