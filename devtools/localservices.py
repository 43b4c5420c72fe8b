"""Local services for fault tests and benchmarks: a private Redis, Celery processes.

Development tooling, not used by the running site. Every process is started in its own
session and stopped by its own pid (never by name); the machine's Redis is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}.")


class RedisServer:
    """A private ``redis-server`` on a spare port, without persistence, stoppable."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="ll-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, 10, message="redis-server to start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class CeleryProcess:
    """``celery -A config worker --pool=solo`` or ``celery -A config beat`` as a subprocess,
    on the private broker, the test database and the SMTP sink.

    ``pool="prefork"`` (with ``concurrency`` processes) runs the worker as production does:
    tasks in child processes, the broker connection watched by the parent while they run.
    """

    def __init__(self, kind: str, *, env: dict, name: str = "w1", pool: str = "solo", concurrency: int = 1):
        self.kind = kind
        self.log = tempfile.NamedTemporaryFile(prefix=f"ll-celery-{kind}-", suffix=".log", delete=False)  # noqa: SIM115
        self.tmp = tempfile.mkdtemp(prefix="ll-celery-")
        if kind == "worker":
            args = [
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        else:
            args = ["beat", "--loglevel=INFO", f"--schedule={self.tmp}/beat-schedule", f"--pidfile={self.tmp}/beat.pid"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        marker = "ready." if self.kind == "worker" else "beat: Starting"
        wait_until(
            lambda: marker in self.output() or self.process.poll() is not None, timeout, message=f"{self.kind} start"
        )
        assert self.process.poll() is None, self.output()[-3000:]

    def kill(self) -> None:
        """SIGKILL, like the OOM killer or a lost machine: no cleanup, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


def celery_env(*, broker_url: str, database_url: str, smtp_port: int, **extra) -> dict:
    """The environment of a worker or beat process: production settings, pointed at the
    private services, with the outbox's timings shortened so that a test lasts seconds."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if k in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "SITE_URL": "http://testserver",
            "DATABASE_URL": database_url,
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": broker_url,
            "CACHE_KEY_PREFIX": "outbox-faults",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
            "OUTBOX_SWEEP_INTERVAL": "1",
            "OUTBOX_BACKOFF_BASE_SECONDS": "1",
            "OUTBOX_BACKOFF_CAP_SECONDS": "2",
            "OUTBOX_REQUEUE_GRACE_SECONDS": "1",
            "OUTBOX_REQUEUE_AFTER_SECONDS": "5",
            "OUTBOX_RECLAIM_AFTER_SECONDS": "4",
            "CELERY_TASK_SOFT_TIME_LIMIT": "2",
            "CELERY_TASK_TIME_LIMIT": "3",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def broker_at(url: str):
    """Make this (test) process publish to ``url`` instead of running tasks eagerly."""
    from kombu import pools as kombu_pools

    from config.celery import app
    from outbox.services import broker_pause_reset

    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset_pools():
        # kombu keeps pools in a global registry keyed by URL: clear it, or the next use
        # of the same URL would get the closed pool back.
        kombu_pools.reset()
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = url, False
    reset_pools()
    broker_pause_reset()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_pools()
        broker_pause_reset()
