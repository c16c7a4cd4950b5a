"""Two web nodes (gunicorn) on one PostgreSQL and one Redis, with a Celery worker: a job started through one node
is seen progressing and finishing through the other; a login on one node is a login on both, a logout on one ends
it on both, and a subscriber's cached page shows the payment the job credited, whichever node serves it."""

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys

import psycopg
import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from abonent.billing import cycle
from abonent.payments.tests.test_registry import build, line
from abonent.testing import factories as f
from abonent.testing.workers import (
    REDIS_URL,
    ROOT,
    database_url,
    new_queue,
    reachable,
    transport_options,
    wait_for,
    workers,
)

from .test_workers import city  # noqa: F401  (the fixture)

PASSWORD = "pass-2026-word"
PBKDF2 = PBKDF2PasswordHasher()
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]


@pytest.fixture
def shared():
    if connection.vendor != "postgresql":
        pytest.skip("веб-узлы работают с базой теста: только на PostgreSQL (make test-postgres)")
    if not reachable(REDIS_URL):
        pytest.skip(f"Redis не отвечает ({REDIS_URL})")
    return REDIS_URL


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    def __init__(self, env: dict, log):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "abonent.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1"]
        command += ["--timeout", "60", "--graceful-timeout", "2"]
        self.log = log.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self):
        def answers():
            try:
                return requests.get(self.url + "/admin/login/", timeout=15).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False

        wait_for(answers, timeout=40, what=f"gunicorn on {self.port}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


def _csrf(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url).text).group(1)


def _login(session, node, path, username, password):
    token = _csrf(session, node.url + path)
    response = session.post(
        node.url + path,
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": node.url + path},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]


def test_two_nodes_share_jobs_sessions_and_the_page_cache(shared, city, tmp_path):  # noqa: F811
    org, account = city["org"], city["accounts"][0]
    cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))
    operator = f.OperatorFactory(organisation=org)
    subscriber = f.AccountLinkFactory(account=account).user
    # The nodes know the production hashers only (the test process hashes with MD5 for speed).
    for user in (operator, subscriber):
        user.password = PBKDF2.encode(PASSWORD, PBKDF2.salt(), iterations=1000)  # cheap, and verifies anywhere
        user.save(update_fields=["password"])
    queue = new_queue()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": shared,
        "CELERY_BROKER_URL": shared,
        "CELERY_QUEUE": queue,
        "CELERY_TRANSPORT_OPTIONS": json.dumps(transport_options(queue)),
        "CACHE_KEY_PREFIX": queue,
        "DEBUG": "1",
        "CONN_MAX_AGE": "0",
    }
    nodes = [Node(env, tmp_path / f"node{n}.log") for n in range(2)]
    blocker = psycopg.connect(database_url().replace("postgres://", "postgresql://"))
    try:
        for node in nodes:
            node.wait_ready()
        one, two = nodes
        with workers(shared, queue, tmp_path, env={"REDIS_URL": shared, "CACHE_KEY_PREFIX": queue}):
            _scenario(one, two, operator, subscriber, account, blocker)
    finally:
        blocker.close()
        for node in nodes:
            node.stop()


def _scenario(one, two, operator, subscriber, account, blocker):
    staff = requests.Session()
    _login(staff, one, "/admin/login/", operator.username, PASSWORD)
    assert staff.get(two.url + "/admin/jobs/", allow_redirects=False).status_code == 200  # the same session
    person = requests.Session()
    _login(person, two, "/login/", subscriber.username, PASSWORD)
    before = person.get(one.url + "/cabinet/").text

    # the registry's import stops inside its transaction until the lock goes: the job is seen running
    blocker.execute("LOCK TABLE payments_registry IN SHARE ROW EXCLUSIVE MODE")
    upload = one.url + "/admin/payments/registry/upload/"
    token = _csrf(staff, upload)
    data = build([line(account.number, "100.00", "N1")])
    response = staff.post(
        upload,
        data={"csrfmiddlewaretoken": token, "layout": "sber"},
        files={"file": ("reestr.txt", data)},
        headers={"Referer": upload},
        allow_redirects=False,
    )
    assert response.status_code == 302 and "/admin/jobs/" in response.headers["Location"]
    status = two.url + response.headers["Location"] + "status/"
    wait_for(lambda: staff.get(status).json()["state"] == "running", what="the job running, seen on node two")
    assert "Этап: разбор файла и зачисление" in staff.get(status).json()["html"]
    blocker.rollback()
    wait_for(lambda: staff.get(status).json()["state"] == "finished", what="the job finished, seen on node two")
    assert "зачислено платежей: 1" in staff.get(status).json()["html"]

    # the subscriber's page, cached per user in Redis, shows the payment on both nodes
    after_one, after_two = person.get(one.url + "/cabinet/").text, person.get(two.url + "/cabinet/").text
    assert _owed(after_one) != _owed(before) and _owed(after_one) == _owed(after_two)

    # a logout on node one ends the session on node two
    token = _csrf(staff, one.url + "/admin/")
    staff.post(one.url + "/admin/logout/", data={"csrfmiddlewaretoken": token}, headers={"Referer": one.url})
    assert staff.get(two.url + "/admin/jobs/", allow_redirects=False).status_code == 302


def _owed(page: str) -> list[str]:
    """The sums of money on a page (1 234,56)."""
    return sorted(set(re.findall(r"\d[\d\u00a0\u202f ]*,\d\d", page)))
