"""Faults with real services: a private Redis this test can stop, a real Celery worker
process and an SMTP server (aiosmtpd) that keeps every message it receives.

Where rows wait (Redis was down, a worker died), the real outbox sweeper runs on the real
worker, as beat would start it, and hands them over again; the outbox's own claim makes an
extra hand-over harmless.
"""

from __future__ import annotations

import datetime as dt
import mailbox
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from config.celery import app
from digests.models import DigestDelivery, DigestPreference, Frequency, period_for
from outbox.models import OutboxMessage
from tests.factories.digests import evidence, member

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BATCH_SIZE = 5
MEMBERS = 30
# The member whose preference row the test locks: in the fourth batch of five.
LOCKED_INDEX = 17


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Redis:
    """A private redis-server without persistence: stopping it loses what it held."""

    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: _port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Smtp:
    """aiosmtpd writing each message it receives into a Maildir."""

    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.maildir = workdir / "maildir"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.maildir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: _port_open(self.port), timeout=10, what="aiosmtpd")

    def recipients(self) -> Counter:
        if not self.maildir.exists():
            return Counter()
        return Counter(message["To"] for message in mailbox.Maildir(self.maildir, create=False))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Worker:
    """``celery -A config worker --pool=solo`` against the test database and the private Redis."""

    def __init__(self, *, redis: Redis, smtp: Smtp, workdir: Path):
        db = connection.settings_dict
        self.env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "digests-faults",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
            "SITE_URL": "http://testserver",
            "DIGESTS_BATCH_SIZE": str(BATCH_SIZE),
            # A Redis without persistence forgets the tasks it held when it stops; the sweeper
            # hands such rows over again after OUTBOX_REQUEUE_AFTER_SECONDS (15 min in
            # production), shortened here so that the test can watch it happen.
            "OUTBOX_REQUEUE_GRACE_SECONDS": "1",
            "OUTBOX_REQUEUE_AFTER_SECONDS": "5",
        }
        if db.get("PASSWORD"):
            self.env["PGPASSWORD"] = db["PASSWORD"]
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.log = self.workdir / f"worker-{self.starts}.log"
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"digests-faults-{self.starts}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        _wait_for(lambda: " ready." in self.log.read_text(), timeout=60, what="the Celery worker to be ready")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log_file.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process:
            self._log_file.close()


@pytest.fixture
def services(transactional_db, tmp_path):
    redis = Redis(tmp_path)
    redis.start()
    smtp = Smtp(tmp_path)
    worker = Worker(redis=redis, smtp=smtp, workdir=tmp_path)
    yield redis, smtp, worker
    worker.stop()
    smtp.stop()
    redis.stop()


def _send_task(redis: Redis, name: str, **kwargs) -> None:
    with warnings.catch_warnings():
        # The test process runs tasks eagerly; this message is meant for the real worker.
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        with Connection(redis.url) as broker:
            app.send_task(name, kwargs=kwargs, connection=broker)


def _sweep(redis: Redis) -> None:
    """Start the outbox's periodic sweeper on the worker, as beat does every minute."""
    _send_task(redis, "outbox.sweep")


def _members_with_news():
    readers = [member() for _ in range(MEMBERS)]
    # Saved preferences, so that the test can lock one member's row to hold a batch.
    DigestPreference.objects.bulk_create([DigestPreference(user=r) for r in readers])
    period = period_for(Frequency.WEEKLY, timezone.now())
    evidence(title="Bergsjön story", published_at=period.start + dt.timedelta(days=2))
    return readers


class RowLock:
    """Holds one member's preference row locked from another connection: the batch that
    reaches it blocks before its commit, with its deliveries and emails written."""

    def __init__(self, user_id: int):
        db = connection.settings_dict
        self.conn = psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            dbname=db["NAME"],
        )
        self.conn.execute("SELECT 1 FROM digests_digestpreference WHERE user_id = %s FOR UPDATE", [user_id])

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def _blocked_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _wait_for_every_digest(redis: Redis, smtp: Smtp, readers) -> Counter:
    def done():
        _sweep(redis)
        received = smtp.recipients()
        return received if len(received) == len(readers) and not OutboxMessage.objects.due().exists() else None

    return _wait_for(done, timeout=90, what="every member's digest to arrive", interval=1.5)


def _assert_exactly_one_each(readers, received: Counter) -> None:
    assert received == Counter({r.email: 1 for r in readers})
    assert DigestDelivery.objects.count() == len(readers)
    assert sorted(DigestDelivery.objects.values_list("user_id", flat=True)) == sorted(r.pk for r in readers)
    assert OutboxMessage.objects.filter(kind="digest").count() == len(readers)
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxMessage.State.SENT}


def test_job_killed_mid_run_then_run_again_sends_every_member_exactly_one_digest(services):
    redis, smtp, worker = services
    readers = _members_with_news()
    lock = RowLock(readers[LOCKED_INDEX].pk)
    worker.start()

    _send_task(redis, "digests.run", frequency="weekly")
    _wait_for(
        lambda: DigestDelivery.objects.count() == 15 and _blocked_backends() >= 1,
        timeout=60,
        what="three batches done and the fourth blocked before its commit",
    )
    worker.kill()
    lock.release()
    # The killed batch never committed: its deliveries and emails are gone with it.
    time.sleep(1)
    assert DigestDelivery.objects.count() == 15
    assert OutboxMessage.objects.count() == 15

    worker.start()
    _send_task(redis, "digests.run", frequency="weekly")
    received = _wait_for_every_digest(redis, smtp, readers)

    _assert_exactly_one_each(readers, received)


def test_redis_down_during_the_run_completes_later_and_loses_nothing(services):
    redis, smtp, worker = services
    readers = _members_with_news()
    lock = RowLock(readers[LOCKED_INDEX].pk)
    worker.start()

    _send_task(redis, "digests.run", frequency="weekly")
    _wait_for(
        lambda: DigestDelivery.objects.count() == 15 and _blocked_backends() >= 1,
        timeout=60,
        what="three batches done and the fourth blocked before its commit",
    )
    redis.stop()
    lock.release()
    # The fourth batch commits while Redis is down: its emails wait in the outbox, and the
    # batches still queued in Redis are lost with it.
    _wait_for(lambda: DigestDelivery.objects.count() == 20, timeout=30, what="the fourth batch to commit")
    time.sleep(2)
    assert DigestDelivery.objects.count() == 20
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.QUEUED).count() >= 5

    redis.start()
    # Later: the hourly catch-up runs the job again, and the sweeper hands the waiting rows over.
    _send_task(redis, "digests.run", frequency="weekly")
    received = _wait_for_every_digest(redis, smtp, readers)

    _assert_exactly_one_each(readers, received)
    # The fourth batch's hand-over after its commit met the stopped broker.
    assert "Could not hand over 5 outbox messages" in worker.log.read_text()
