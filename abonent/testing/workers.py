"""Real Celery worker processes for tests: started on a broker (Redis or RabbitMQ) and the test's PostgreSQL
database, killed the way a machine dies (SIGKILL). The test process sends its tasks to the same broker and queue
(`sending_to`), so what runs is exactly what runs in production."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from celery import Celery, current_app
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = {"redis": REDIS_URL, "rabbitmq": AMQP_URL}


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or {"redis": 6379}.get(parts.scheme, 5672)), 1):
            return True
    except OSError:
        return False


def transport_options(queue: str) -> dict:
    # Redis: a killed worker's task comes back after 2 s (production: an hour), and the keys of this test are its
    # own. RabbitMQ gives an unacknowledged task back as soon as the worker's connection drops.
    return {
        "visibility_timeout": 2,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "global_keyprefix": f"{queue}:",
    }


def database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, broker: str, queue: str, name: str, log: Path, env: dict):
        self.log = log
        command = [sys.executable, "-m", "celery", "-A", "abonent", "worker", "--pool", "solo", "-Q", queue]
        command += ["-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
        full_env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_QUEUE": queue,
            "CELERY_TRANSPORT_OPTIONS": json.dumps(transport_options(queue)),
            "CONN_MAX_AGE": "0",
            "DEBUG": "1",
            **env,
        }
        full_env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        log.parent.mkdir(parents=True, exist_ok=True)
        self.handle = log.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=self.handle, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> "Worker":  # a loaded 2-core machine takes its time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker did not start:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, nothing cleaned up."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


def new_queue() -> str:
    return f"abonent-test-{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def sending_to(broker: str, queue: str):
    """The test process sends the jobs' tasks to `broker` and `queue` instead of running them in place."""
    previous = current_app._get_current_object()
    app = Celery("abonent-test", broker=broker, set_as_current=False)
    app.conf.update(
        task_default_queue=queue,
        broker_transport_options=transport_options(queue),
        task_always_eager=False,
        broker_connection_retry_on_startup=True,
        timezone=settings.CELERY_TIMEZONE,
    )
    app.set_current()
    try:
        yield app
    finally:
        app.close()
        previous.set_current()


@contextlib.contextmanager
def workers(broker: str, queue: str, tmp_path: Path, count: int = 1, env: dict | None = None):
    started = []
    try:
        for n in range(count):
            started.append(Worker(broker, queue, f"w{n}-{queue}", tmp_path / f"worker{n}.log", env or {}))
        yield [w.wait_ready() for w in started]
    finally:
        for worker in started:
            worker.stop()


def wait_for(condition, timeout: float = 25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
