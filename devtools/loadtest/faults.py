"""Faults during the load (``make loadtest LOADTEST_ARGS="--fault redis"``), one per run.

- ``redis``: the private Redis (broker and cache) stopped for 30 s, then started again.
- ``worker``: one Celery worker SIGKILLed (no cleanup, no acknowledgement); a replacement
  starts 10 s later, as a supervisor would start it.
- ``postgres``: the app's database refuses connections for 20 s and every open connection to
  it is terminated (``ALLOW_CONNECTIONS false`` and ``pg_terminate_backend``, for this
  database only: the machine's shared PostgreSQL server is never restarted).
- ``smtp``: the SMTP sink refuses connections for 60 s.

A drill runs in a thread beside Locust: it waits until the load holds, applies the fault,
undoes it, then measures how long the site takes to recover: pages (a member's page asked
every half second until three answers in a row are 200) and the outbox (every email written
before the fault ended has an outcome). Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connection

LENGTHS = {"redis": 30, "worker": 10, "postgres": 20, "smtp": 60}


@dataclass
class Drill:
    name: str
    start_after: float
    stack: dict  # redis, sink, celery (list), start_worker (callable), server, member_cookie
    began_at: float = 0.0
    ended_at: float = 0.0
    probes: list[tuple[float, int]] = field(default_factory=list)
    pages_recovered_s: float | None = None
    outbox_recovered_s: float | None = None
    backlog: int = 0
    error: str = ""

    def __post_init__(self):
        self.thread = threading.Thread(target=self._run, name=f"fault-{self.name}", daemon=True)
        self._stop = threading.Event()

    @property
    def length(self) -> int:
        return LENGTHS[self.name]

    def start(self) -> None:
        self.thread.start()

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)
        self._stop.set()
        # Whatever happened in the thread, the database accepts connections again.
        if self.name == "postgres":
            _allow_connections(True)

    # --- the drill ---------------------------------------------------------------------
    def _run(self) -> None:
        try:
            if self._stop.wait(self.start_after):
                return
            probe = threading.Thread(target=self._probe, daemon=True)
            self.began_at = time.time()
            probe.start()
            self._begin()
            deadline = time.monotonic() + self.length
            while time.monotonic() < deadline:
                if self.name == "postgres":
                    _terminate_connections()
                time.sleep(1)
            self._end()
            self.ended_at = time.time()
            self._wait_for_the_outbox()
            probe.join(120)
        except Exception as exc:  # noqa: BLE001 — reported with the figures, never hangs the run.
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()  # this thread's own

    def _begin(self) -> None:
        if self.name == "redis":
            self.stack["redis"].stop()
        elif self.name == "worker":
            self.stack["celery"][0].kill()
        elif self.name == "postgres":
            _allow_connections(False)
            _terminate_connections()
        elif self.name == "smtp":
            self.stack["sink"].stop()

    def _end(self) -> None:
        if self.name == "redis":
            self.stack["redis"].start()
        elif self.name == "worker":
            self.stack["start_worker"]()
        elif self.name == "postgres":
            _allow_connections(True)
        elif self.name == "smtp":
            self.stack["sink"].start()

    def _probe(self) -> None:
        """A member's page every half second from the fault's start until three 200s in a row
        after its end (at most two minutes after it)."""
        server, cookie = self.stack["server"], self.stack["member_cookie"]
        streak, limit = 0, time.monotonic() + self.length + 120
        while time.monotonic() < limit and not self._stop.is_set():
            try:
                status = server.get("/exchanges/mine/", cookie)
            except OSError:
                status = 0
            now = time.time()
            self.probes.append((now, status))
            if self.ended_at and now >= self.ended_at:
                streak = streak + 1 if status == 200 else 0
                if streak == 1:
                    first_ok = now
                if streak == 3:
                    self.pages_recovered_s = max(0.0, first_ok - self.ended_at)
                    return
            time.sleep(0.5)

    def _wait_for_the_outbox(self) -> None:
        """Seconds from the end of the fault until every email written before it has an outcome."""
        from outbox.models import OutboxMessage

        limit = time.monotonic() + 240
        ended = self.ended_at
        while time.monotonic() < limit and not self._stop.is_set():
            try:
                pending = OutboxMessage.objects.filter(
                    created_at__lte=_aware(ended), state__in=["queued", "sending", "retrying"]
                ).count()
            except Exception:  # noqa: BLE001 — a connection dropped by the drill itself.
                connection.close()
                time.sleep(1)
                continue
            if not self.backlog:
                self.backlog = pending
            if pending == 0:
                self.outbox_recovered_s = time.time() - ended
                return
            time.sleep(1)

    # --- the report --------------------------------------------------------------------
    def report(self, answers) -> tuple[str, dict]:
        """A line for the output, and the server's answers >= 500 during the fault by status."""
        window_end = (self.ended_at or time.time()) + 5
        during = [a for a in answers if self.began_at - 1 <= a.at <= window_end]
        errors: dict[int, int] = {}
        for answer in during:
            if answer.status >= 500:
                errors[answer.status] = errors.get(answer.status, 0) + 1
        failed_probes = sum(1 for at, status in self.probes if status != 200 and at <= window_end)
        parts = [
            f"fault {self.name}: {self.length} s from +{self.start_after:.0f} s of load",
            f"{len(during)} answers during it, errors "
            + (", ".join(f"{status} ×{n}" for status, n in sorted(errors.items())) or "none"),
            f"probe failures {failed_probes} of {sum(1 for at, _s in self.probes if at <= window_end)}",
            "pages recovered "
            + ("—" if self.pages_recovered_s is None else f"{self.pages_recovered_s:.1f} s after it ended"),
            f"outbox backlog {self.backlog} emails, "
            + (
                "not all out within 4 minutes"
                if self.outbox_recovered_s is None
                else f"all out {self.outbox_recovered_s:.1f} s after it ended"
            ),
        ]
        if self.error:
            parts.append(f"drill error: {self.error}")
        return "; ".join(parts), errors

    def allowed_503(self, answer) -> bool:
        """During a database outage (and 5 s after it) the friendly 503 is the expected answer."""
        return (
            self.name == "postgres"
            and answer.status == 503
            and self.began_at - 1 <= answer.at <= (self.ended_at or time.time()) + 5
        )


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


def _maintenance():
    db = settings.DATABASES["default"]
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True, connect_timeout=5)


def _allow_connections(allowed: bool) -> None:
    name = settings.DATABASES["default"]["NAME"]
    with contextlib.closing(_maintenance()) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"true" if allowed else "false"}')


def _terminate_connections() -> None:
    """Drop every connection to the app's own database (never another database's)."""
    name = settings.DATABASES["default"]["NAME"]
    with contextlib.closing(_maintenance()) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
