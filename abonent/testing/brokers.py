"""Brokers a test may break: the machine's Redis and RabbitMQ are shared (other developers, the suite's other
xdist worker), so a test that loses the broker mid-job never restarts them. Instead:

- `PrivateRedis`: a redis-server process of the test's own, on a free port, with the append-only file synced on
  every write (as a production broker should be), which the test kills with SIGKILL and starts again on the
  same port and data directory: a real broker restart.
- `CuttableProxy`: a TCP proxy between the workers and the shared RabbitMQ; `cut()` closes the listening socket
  and every connection through it (as a broker restart or a network failure does: the broker sees its consumers
  vanish and puts their unacknowledged messages back in the queue), `restore()` listens again on the same port."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from .smtp import free_port


class PrivateRedis:
    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        command += ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"]
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _wait_listening(self.port)
        return self

    def kill(self) -> None:
        """SIGKILL: what the broker had acknowledged is in its append-only file, nothing else survives."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        self.kill()


class CuttableProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def url(self, broker_url: str) -> str:
        """`broker_url` (amqp://user:pass@host:port/vhost) through the proxy."""
        head, _, rest = broker_url.partition("@")
        vhost = rest.partition("/")[2]
        return f"{head}@127.0.0.1:{self.port}/{vhost}"

    def restore(self) -> CuttableProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        with self.lock:
            doomed, self.sockets = [*self.sockets, self.listener], set()
            self.listener = None
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()
            with self.lock:
                self.sockets -= {source, sink}


def _wait_listening(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")
