"""Outbox benchmarks for ``make bench`` (``run(ctx)``, see ``devtools/benchlib.py``).

1. Throughput: 5,000 queued emails sent by one worker process (``--pool=solo``) through a
   private Redis to a local SMTP server (aiosmtpd) → emails per second. Target ≥ 100/s.
   Measured twice: a backlog handed over in batches (as the sweeper and bulk senders do),
   and 1,000 emails with one task each (as emails written by requests are handed over).
   The worker's CPU per email is reported too: on a busy shared machine the wall-clock rate
   says more about the neighbours than about the outbox.
2. Latency of creating one invitation (median of 50), with Redis up and with Redis stopped.
   Target: stopped within 2× of up (enqueueing must never hold a request).

Each part starts its own services (a ``redis-server`` on a spare port, an SMTP sink in a
thread, a Celery worker subprocess on the bench database) and removes its rows afterwards.
"""

from __future__ import annotations

import logging
import os
import statistics
import threading
import time
import uuid

from django.db import connection, transaction

from devtools.localservices import CeleryProcess, RedisServer, broker_at, celery_env, wait_until
from outbox.models import OutboxMessage

THROUGHPUT_EMAILS = 5000
PER_TASK_EMAILS = 1000
LATENCY_SAMPLES = 50


class _CountingHandler:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _smtp_sink():
    from aiosmtpd.controller import Controller

    # aiosmtpd logs every SMTP command at INFO: 5,000 emails' worth would slow the sink.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    from devtools.localservices import free_port

    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler


def _throughput(ctx, redis: RedisServer, run_id: str, *, emails: int, batched: bool) -> None:
    """Send ``emails`` queued rows with one worker process. ``batched``: handed over the way
    a backlog is (``outbox_handover``, OUTBOX_BATCH_SIZE rows per task); otherwise one task
    per email, the way rows written by requests are handed over."""
    from outbox.services import outbox_handover
    from outbox.tasks import outbox_send

    controller, handler = _smtp_sink()
    worker = None
    prefix = f"bench:{run_id}:{'batch' if batched else 'row'}:"
    try:
        rows = [
            OutboxMessage(
                idempotency_key=f"{prefix}{n}",
                kind="bench",
                to=f"bench{n}@example.org",
                subject=f"Bench {n}",
                body_text="Hello from the outbox benchmark.\n" * 10,
                body_html="<p>Hello from the outbox benchmark.</p>" * 10,
            )
            for n in range(emails)
        ]
        OutboxMessage.objects.bulk_create(rows, batch_size=1000)
        ids = list(OutboxMessage.objects.filter(idempotency_key__startswith=prefix).values_list("pk", flat=True))
        with broker_at(redis.url) as app:
            if batched:
                outbox_handover(message_ids=ids)
            else:
                with app.producer_or_acquire() as producer:
                    for pk in ids:
                        outbox_send.apply_async(args=[pk], producer=producer)
        env = celery_env(
            broker_url=redis.url,
            database_url=_database_url(),
            smtp_port=controller.port,
            DB_CONN_MAX_AGE="600",
            OUTBOX_REQUEUE_AFTER_SECONDS="900",
            OUTBOX_RECLAIM_AFTER_SECONDS="300",
            CELERY_TASK_SOFT_TIME_LIMIT="60",
            CELERY_TASK_TIME_LIMIT="90",
        )
        worker = CeleryProcess("worker", env=env, name="bench")
        worker.wait_ready(60)
        cpu_before = _cpu_seconds(worker.process.pid)
        started = time.monotonic()
        wait_until(lambda: handler.count >= len(ids), 900, interval=0.05, message="all bench emails")
        elapsed = time.monotonic() - started
        cpu = _cpu_seconds(worker.process.pid) - cpu_before
        sent = OutboxMessage.objects.filter(pk__in=ids, state="sent").count()
        rate = len(ids) / elapsed
        ctx.report(
            "outbox throughput, 1 worker (solo pool), " + ("backlog in batches" if batched else "one task per email"),
            emails=len(ids),
            seconds=round(elapsed, 2),
            emails_per_second=round(rate, 1),
            rows_sent=sent,
            smtp_received=handler.count,
            target_per_second=100,
            meets_target=rate >= 100,
            # The worker's own CPU per email: what one fully available core could do,
            # independent of how busy the machine was during the run.
            worker_cpu_ms_per_email=round(cpu / len(ids) * 1000, 2),
            emails_per_worker_cpu_second=round(len(ids) / cpu, 1) if cpu else None,
            load_average_1min=round(os.getloadavg()[0], 2),
            cpus=os.cpu_count(),
        )
    finally:
        if worker is not None:
            worker.stop()
        controller.stop()
        OutboxMessage.objects.filter(idempotency_key__startswith=prefix).delete()


def _invitation_latencies(redis: RedisServer, run_id: str, label: str) -> list[float]:
    from invitations.services import invitation_create

    timings = []
    with broker_at(redis.url):
        for n in range(LATENCY_SAMPLES):
            started = time.perf_counter()
            # One request's worth of work: the service's transaction, then the hand-over.
            with transaction.atomic():
                invitation_create(email=f"bench-{run_id}-{label}-{n}@example.org", name="Bench")
            timings.append(time.perf_counter() - started)
    return timings


def _latency(ctx, redis: RedisServer, run_id: str) -> None:
    from invitations.models import Invitation

    try:
        up = _invitation_latencies(redis, run_id, "up")
        redis.stop()
        down = _invitation_latencies(redis, run_id, "down")
        redis.start()
        median_up, median_down = statistics.median(up) * 1000, statistics.median(down) * 1000
        ctx.report(
            "invitation creation latency",
            samples=LATENCY_SAMPLES,
            median_ms_redis_up=round(median_up, 2),
            median_ms_redis_stopped=round(median_down, 2),
            max_ms_redis_stopped=round(max(down) * 1000, 2),
            ratio_stopped_to_up=round(median_down / median_up, 2),
            target_ratio=2.0,
            meets_target=median_down <= 2 * median_up,
        )
    finally:
        emails = Invitation.objects.filter(email__startswith=f"bench-{run_id}-")
        OutboxMessage.objects.filter(to__in=emails.values("email")).delete()
        emails.delete()


def run(ctx) -> None:
    run_id = uuid.uuid4().hex[:8]
    redis = RedisServer()
    redis.start()
    try:
        _throughput(ctx, redis, run_id, emails=THROUGHPUT_EMAILS, batched=True)
        _throughput(ctx, redis, run_id, emails=PER_TASK_EMAILS, batched=False)
        _latency(ctx, redis, run_id)
    finally:
        redis.close()
