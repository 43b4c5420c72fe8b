"""The load test: stack, plan, Locust, figures, invariants (``manage.py loadtest``).

Everything runs on 127.0.0.1 and every wait is bounded: Locust stops itself after the
duration (and is killed if it does not), the drain of the outbox waits at most
``DRAIN_SECONDS``, and every process started here is stopped by its own pid at the end.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, F, Q
from django.test import Client
from django.utils import timezone

from devtools.loadtest.faults import LENGTHS, Drill
from devtools.loadtest.memory import MemorySampler
from devtools.loadtest.memory import summary as memory_summary
from devtools.localservices import (
    CeleryProcess,
    Gunicorn,
    PgBouncer,
    RedisServer,
    SmtpSinkProcess,
    broker_at,
    celery_env,
)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
GUNICORN_WORKERS = 4
GUNICORN_TIMEOUT = 30
CELERY_WORKERS = 2
HOT_EXCHANGES = 3
HOT_PLACES = 8
SESSIONS = {"member": 200, "funder": 5, "coordinator": 3}
SEARCH_TERMS = ["climate", "youth", "housing", "klimat", "ungdom", "bostad", "klimaat", "jongeren", "wonen"]
DRAIN_SECONDS = 120
# Fewer server connections than the 7 processes that use them (4 gunicorn workers, 2 Celery
# workers, beat): every transaction really waits for and shares a pooled connection.
PGBOUNCER_POOL = 4
P95_TARGET_MS = 500
# The outbox's timings for the workers: production's relations (soft < hard < reclaim), with
# short sweeps so that what Redis lost is handed over again within the drain, and a backoff
# whose six attempts still span more than the SMTP fault's 60 s (5+10+20+30+30 s).
WORKER_TIMINGS = {
    "OUTBOX_SWEEP_INTERVAL": 5,
    "OUTBOX_REQUEUE_GRACE_SECONDS": 5,
    "OUTBOX_REQUEUE_AFTER_SECONDS": 60,
    "OUTBOX_RECLAIM_AFTER_SECONDS": 30,
    "OUTBOX_BACKOFF_BASE_SECONDS": 5,
    "OUTBOX_BACKOFF_CAP_SECONDS": 30,
    "CELERY_TASK_SOFT_TIME_LIMIT": 20,
    "CELERY_TASK_TIME_LIMIT": 25,
    "CELERY_VISIBILITY_TIMEOUT": 60,
}


@dataclass
class Endpoint:
    name: str
    requests: int
    failures: int
    median: float
    p95: float
    p99: float


@dataclass
class Result:
    users: int
    rps: float
    p95: float
    endpoints: list[Endpoint]
    status_5xx: int
    slowest_s: float
    worker_timeouts: int
    capacity_users: str
    broken: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        invariants = "held" if not self.broken else "broken: " + "; ".join(self.broken)
        return (
            f"loadtest: {self.users} users, {self.rps:.1f} req/s, p95 {self.p95:.0f} ms, "
            f"5xx {self.status_5xx}, invariants {invariants}"
        )


# --- the plan the Locust users read -------------------------------------------------------


def _hot_exchanges(run_tag: str) -> list[str]:
    """A few new exchanges with scarce places and a waitlist: the sign-up deadline."""
    from exchanges.models import Exchange

    now = timezone.now()
    slugs = []
    for n in range(HOT_EXCHANGES):
        exchange = Exchange.objects.create(
            slug=f"loadtest-{run_tag}-{n}",
            title=f"Load test hot exchange {n}",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=2),
            capacity=HOT_PLACES,
            waitlist_enabled=True,
            status=Exchange.Status.PUBLISHED,
        )
        slugs.append(exchange.slug)
    return slugs


def _role_user(email: str, *, group: str | None = None, superuser: bool = False):
    from network.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = (
            User.objects.create_superuser(email=email, password=None)
            if superuser
            else User.objects.create_user(email=email)
        )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def _session(user) -> tuple[str, str]:
    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def build_plan(run_tag: str) -> dict:
    from exchanges.models import Exchange
    from network.models import Role, User
    from practice.models import Guide

    # Every real account has a member profile (network.signals); some bulk-seeded bench users
    # (the largest exchange's) have none, and the profile page assumes one.
    members = User.objects.filter(email__endswith="@bench.example.org", is_active=True, member__isnull=False)
    members = members.order_by("pk")
    funders = [_role_user(f"loadtest-funder-{n}@example.org", group=Role.FUNDER) for n in range(SESSIONS["funder"])]
    coordinators = [
        _role_user(f"loadtest-coordinator-{n}@example.org", superuser=True) for n in range(SESSIONS["coordinator"])
    ]
    upcoming = Exchange.objects.published().upcoming().order_by("starts_at")
    return {
        "sessions": {
            "member": [_session(u) for u in members[: SESSIONS["member"]]],
            "funder": [_session(u) for u in funders],
            "coordinator": [_session(u) for u in coordinators],
        },
        "hot": _hot_exchanges(run_tag),
        "exchanges": list(upcoming.values_list("slug", flat=True)[:100]),
        "countries": sorted({str(c) for c in upcoming.exclude(country="").values_list("country", flat=True)[:100]}),
        "guides": list(Guide.objects.published().order_by("-pk").values_list("slug", flat=True)[:100]),
        "search_terms": SEARCH_TERMS,
    }


def warm_up(server: Gunicorn, plan: dict, *, rounds: int = 3) -> None:
    """Load the pages once in every gunicorn worker before measuring (imports, templates,
    connections): the first requests of a cold worker take seconds on a busy machine."""
    member = plan["sessions"]["member"][0] if plan["sessions"]["member"] else None
    funder = plan["sessions"]["funder"][0] if plan["sessions"]["funder"] else None
    cookie = f"{member[0]}={member[1]}" if member else ""
    pages = [
        ("/", ""),
        ("/exchanges/", ""),
        (f"/exchanges/{plan['hot'][0]}/", cookie),
        (f"/exchanges/{plan['hot'][0]}/register/", cookie),
        ("/sv/practice/", ""),
        ("/nl/search/?q=klimaat", ""),
        ("/me/profile/", cookie),
        ("/evidence/dashboard/", f"{funder[0]}={funder[1]}" if funder else ""),
    ]
    with ThreadPoolExecutor(GUNICORN_WORKERS) as pool:
        for _round in range(rounds):
            list(pool.map(lambda page: _quiet_get(server, *page), pages * GUNICORN_WORKERS))


def _quiet_get(server: Gunicorn, path: str, cookie: str) -> int:
    try:
        return server.get(path, cookie)
    except OSError:
        return 0


# --- the figures --------------------------------------------------------------------------


def _number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def read_stats(prefix: str) -> tuple[list[Endpoint], Endpoint | None, float]:
    """Per endpoint and aggregated figures from Locust's ``<prefix>_stats.csv``."""
    endpoints, total, rps = [], None, 0.0
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return endpoints, None, 0.0
    with path.open() as handle:
        for row in csv.DictReader(handle):
            endpoint = Endpoint(
                name=(f"{row['Type']} {row['Name']}" if row["Type"] else row["Name"]),
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                median=_number(row["Median Response Time"]),
                p95=_number(row["95%"]),
                p99=_number(row["99%"]),
            )
            if row["Name"] == "Aggregated":
                total, rps = endpoint, _number(row["Requests/s"])
            else:
                endpoints.append(endpoint)
    return endpoints, total, rps


def capacity_from_history(prefix: str, target_ms: float = P95_TARGET_MS) -> str:
    """The highest number of users at which the p95 of the last 10 s (Locust's window) stayed
    under ``target_ms`` during the ramp and hold."""
    path = Path(f"{prefix}_stats_history.csv")
    if not path.exists():
        return "unknown"
    best, exceeded, top = 0, False, 0
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] != "Aggregated" or row["95%"] in ("N/A", ""):
                continue
            users = int(row["User Count"])
            top = max(top, users)
            if _number(row["95%"]) >= target_ms:
                exceeded = True
                break
            best = max(best, users)
    if not exceeded:
        return f"at least {top} (the most this run reached)"
    return str(best)


ACCESS_LINE = re.compile(r"^(\d{3}) ([\d.]+) \[([^\]]+)\] (\S+) (\S+)")


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    at: float  # epoch seconds
    path: str


def read_access_log(path: Path) -> list[Answer]:
    """Every answer gunicorn logged (``Gunicorn.ACCESS_FORMAT``)."""
    answers = []
    if not path.exists():
        return answers
    for line in path.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.match(line)
        if match:
            at = datetime.strptime(match.group(3), "%d/%b/%Y:%H:%M:%S %z").timestamp()
            answers.append(Answer(int(match.group(1)), float(match.group(2)), at, match.group(5).split("?")[0]))
    return answers


def read_failures(prefix: str) -> list[tuple[str, int]]:
    """Locust's failures by kind (``<prefix>_failures.csv``), most frequent first."""
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    kinds: Counter = Counter()
    with path.open() as handle:
        for row in csv.DictReader(handle):
            kinds[f"{row['Method']} {row['Name']}: {row['Error'][:80]}"] += int(row["Occurrences"])
    return kinds.most_common()


# --- the invariants -----------------------------------------------------------------------


def outbox_drain(*, since_pk: int, timeout: float = DRAIN_SECONDS) -> int:
    """Wait (bounded) until every row written during the run has an outcome; returns how many
    still have none."""
    from outbox.models import OutboxMessage

    pending = OutboxMessage.objects.filter(pk__gt=since_pk, state__in=["queued", "sending", "retrying"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pending.exists():
            return 0
        time.sleep(1)
    return pending.count()


def check_invariants(
    *, since_pk: int, started_at, sink: SmtpSinkProcess, status_5xx: int, slowest_s: float, worker_timeouts: int
) -> list[str]:
    from digests.models import DigestDelivery
    from exchanges.models import PLACE_STATES, Exchange, Registration
    from outbox.models import OutboxMessage
    from outbox.services import message_id_header

    broken = []
    if status_5xx:
        broken.append(f"{status_5xx} answers 5xx")
    # Exchanges whose registrations changed during the run.
    touched = Exchange.objects.filter(registrations__updated_at__gte=started_at).distinct()
    over = (
        touched.filter(capacity__isnull=False)
        .annotate(held=Count("registrations", filter=Q(registrations__state__in=PLACE_STATES)))
        .filter(held__gt=F("capacity"))
    )
    if over.exists():
        broken.append("over capacity: " + ", ".join(over.values_list("slug", flat=True)[:5]))
    waiting = Registration.objects.filter(exchange__in=touched, state=Registration.State.WAITLISTED)
    if waiting.filter(waitlist_position__isnull=True).exists():
        broken.append("a waitlisted registration without a waitlist number")
    numbers = waiting.values("exchange_id", "waitlist_position").annotate(n=Count("id")).filter(n__gt=1)
    if numbers.exists():
        broken.append("two people share a waitlist number (ranks not contiguous)")
    # Nobody waits while a place is free (a freed place is offered to the first in line).
    free_with_queue = (
        touched.filter(capacity__isnull=False)
        .annotate(
            held=Count("registrations", filter=Q(registrations__state__in=PLACE_STATES), distinct=True),
            queue=Count("registrations", filter=Q(registrations__state="waitlisted"), distinct=True),
        )
        .filter(queue__gt=0, held__lt=F("capacity"))
    )
    if free_with_queue.exists():
        broken.append(
            "people waiting while places are free: " + ", ".join(free_with_queue.values_list("slug", flat=True)[:5])
        )

    rows = list(OutboxMessage.objects.filter(pk__gt=since_pk))
    unsent = [r for r in rows if r.state not in ("sent", "cancelled")]
    if unsent:
        states = Counter(r.state for r in unsent)
        broken.append("outbox rows not sent: " + ", ".join(f"{n} {s}" for s, n in states.items()))
    stored = Counter(sink.message_ids())
    by_id = {message_id_header(r): r for r in rows}
    doubled = [mid for mid, n in stored.items() if n > 1]
    # A row marked possibly_duplicated is the README's one documented case (a worker died after
    # handing it to the SMTP server); any other copy is a broken guarantee.
    unexplained = [mid for mid in doubled if not (mid in by_id and by_id[mid].possibly_duplicated)]
    if unexplained:
        broken.append(f"{len(unexplained)} emails stored twice by Message-ID")
    lost = [r.pk for r in rows if r.state == "sent" and stored.get(message_id_header(r), 0) == 0]
    if lost:
        broken.append(f"{len(lost)} rows marked sent but never stored by the SMTP sink")
    twice = DigestDelivery.objects.values("user_id", "frequency", "period").annotate(n=Count("id")).filter(n__gt=1)
    if twice.exists():
        broken.append("a member has two digests for one period")
    if slowest_s >= GUNICORN_TIMEOUT or worker_timeouts:
        broken.append(f"a request reached the gunicorn timeout ({slowest_s:.1f} s, {worker_timeouts} worker timeouts)")
    return broken


# --- the run ------------------------------------------------------------------------------


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def print_table(out, endpoints: list[Endpoint], total: Endpoint | None) -> None:
    width = max([len(e.name) for e in endpoints] + [20])
    out.write(f"{'endpoint':<{width}} {'requests':>9} {'failures':>9} {'median':>8} {'p95':>8} {'p99':>8}\n")
    for e in sorted(endpoints, key=lambda e: -e.requests):
        out.write(
            f"{e.name:<{width}} {e.requests:>9} {e.failures:>9} {e.median:>6.0f}ms {e.p95:>6.0f}ms {e.p99:>6.0f}ms\n"
        )
    if total:
        out.write(
            f"{'all':<{width}} {total.requests:>9} {total.failures:>9} {total.median:>6.0f}ms "
            f"{total.p95:>6.0f}ms {total.p99:>6.0f}ms\n"
        )


def run(
    *,
    users: int,
    duration: int,
    out,
    spawn_rate: float | None = None,
    fault: str | None = None,
    pgbouncer: bool = False,
    soak: bool = False,
) -> Result:
    """Start the stack, run Locust for ``duration`` seconds ramping to ``users``, drain the
    outbox, check the invariants; print the table and the summary line; stop everything.

    ``fault``: one of ``devtools.loadtest.faults.LENGTHS``, applied once the load holds (the
    run is lengthened if it would end less than 30 s after the fault).
    ``pgbouncer``: gunicorn and the Celery processes reach the database through a private
    PgBouncer in transaction pooling mode (``DB_POOLER=transaction``); the invariants are
    checked on the database directly.
    The resident memory of every gunicorn and Celery process is sampled throughout and
    printed; with ``soak`` a growth of 10% or more after the warm-up (the first fifth of the
    run; at least 60 s in runs of five minutes or more) breaks the run."""
    from config.celery import app
    from outbox.models import OutboxMessage

    clock = time.monotonic()
    run_tag = str(int(time.time()))
    fault_after = max(15.0, duration / 4)
    if fault and duration < fault_after + LENGTHS[fault] + 30:
        duration = int(fault_after + LENGTHS[fault] + 30)
        out.write(f"The run lasts {duration} s so that the load goes on 30 s after the fault.\n")
    workdir = Path(tempfile.mkdtemp(prefix="ll-loadtest-"))
    access_log = workdir / "access.log"
    since_pk = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started_at = timezone.now()
    plan_path = workdir / "plan.json"
    plan = build_plan(run_tag)
    plan_path.write_text(json.dumps(plan))

    redis = RedisServer()
    sink = SmtpSinkProcess()
    db = settings.DATABASES["default"]
    bouncer = (
        PgBouncer(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db.get("PASSWORD") or "",
            dbname=db["NAME"],
            pool_size=PGBOUNCER_POOL,
        )
        if pgbouncer
        else None
    )
    processes: list = []
    try:
        redis.start()
        sink.start()
        database_url = _database_url()
        if bouncer is not None:
            bouncer.start()
            database_url = bouncer.url
        env = celery_env(broker_url=redis.url, database_url=database_url, smtp_port=sink.port, **WORKER_TIMINGS)
        if bouncer is not None:
            env["DB_POOLER"] = "transaction"
        # The sessions made here must be valid there: the same secret key everywhere.
        env.update(
            {
                "CACHE_KEY_PREFIX": f"loadtest-{run_tag}",
                "SITE_URL": "http://127.0.0.1",
                "SECRET_KEY": settings.SECRET_KEY,
            }
        )
        celery = [
            *(
                CeleryProcess("worker", env=env, name=f"load{n}", pool="prefork", concurrency=1)
                for n in range(CELERY_WORKERS)
            ),
            CeleryProcess("beat", env=env),
        ]
        processes.extend(celery)
        # gunicorn boots while the Celery processes do.
        web_env = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost", "DB_CONN_MAX_AGE": "60"}
        server = Gunicorn(workers=GUNICORN_WORKERS, env=web_env, timeout=GUNICORN_TIMEOUT, access_log=str(access_log))
        processes.append(server)
        for process in celery:
            process.wait_ready(60)

        def start_worker() -> None:
            replacement = CeleryProcess("worker", env=env, name="load-replacement", pool="prefork", concurrency=1)
            processes.append(replacement)
            replacement.wait_ready(60)

        warm_up(server, plan)
        # The weekly digest goes out at the same moment as the load.
        with broker_at(redis.url):
            app.send_task("digests.run", kwargs={"frequency": "weekly"})
        out.write(
            f"Stack up and warm in {time.monotonic() - clock:.0f} s: gunicorn ({GUNICORN_WORKERS} workers) at "
            f"{server.url}, {CELERY_WORKERS} Celery workers and beat on Redis :{redis.port}, "
            f"SMTP sink :{sink.port}"
            + (f", through PgBouncer :{bouncer.port} (transaction pooling)" if bouncer else "")
            + f". Locust: {users} users for {duration} s.\n"
        )
        out.flush()
        prefix = str(workdir / "locust")
        rate = spawn_rate or max(1.0, users / max(1.0, duration / 3))
        locust_env = {**os.environ, "LOADTEST_PLAN": str(plan_path), "PYTHONWARNINGS": "ignore"}
        command = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            f"{rate:.2f}",
            "--run-time",
            f"{duration}s",
            "--host",
            server.url,
            "--csv",
            prefix,
            "--csv-full-history",
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "ERROR",
        ]
        sampler = MemorySampler(
            {"gunicorn": server.process.pid, **{f"celery {p.kind} {p.name}": p.process.pid for p in celery}},
            interval=5.0 if duration >= 300 else 1.0,
            max_seconds=duration + 120,
        )
        sampler.start()
        drill = None
        if fault:
            member = plan["sessions"]["member"][0]
            drill = Drill(
                name=fault,
                start_after=fault_after,
                stack={
                    "redis": redis,
                    "sink": sink,
                    "celery": celery,
                    "start_worker": start_worker,
                    "server": server,
                    "member_cookie": f"{member[0]}={member[1]}",
                },
            )
            drill.start()
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(  # noqa: S603 — fixed arguments.
                command,
                env=locust_env,
                cwd=settings.BASE_DIR,
                timeout=duration + 90,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=(workdir / "locust.log").open("w"),
            )
        sampler.stop()
        endpoints, total, rps = read_stats(prefix)
        if drill is not None:
            drill.join(300)
            # The drill may have dropped this process's own connection.
            connection.close()
        clock = time.monotonic()
        left = outbox_drain(since_pk=since_pk)
        # Anything sent twice would arrive within the next seconds.
        time.sleep(3)
        answers = read_access_log(access_log)
        errors = [a for a in answers if a.status >= 500 and not (drill and drill.allowed_503(a))]
        status_5xx = len(errors)
        slowest_s = max((a.seconds for a in answers), default=0.0)
        paths_5xx = Counter(f"{a.status} {a.path}" for a in errors)
        worker_timeouts = server.output().count("WORKER TIMEOUT")
        broken = check_invariants(
            since_pk=since_pk,
            started_at=started_at,
            sink=sink,
            status_5xx=status_5xx,
            slowest_s=slowest_s,
            worker_timeouts=worker_timeouts,
        )
        warm_up_s = max(60.0, duration / 5) if duration >= 300 else duration / 5
        memory_line, memory_holds = memory_summary(sampler.report(warm_up_s=warm_up_s))
        if soak and not memory_holds:
            broken.append("resident memory grew 10% or more after the warm-up")
        result = Result(
            users=users,
            rps=rps,
            p95=total.p95 if total else 0.0,
            endpoints=endpoints,
            status_5xx=status_5xx,
            slowest_s=slowest_s,
            worker_timeouts=worker_timeouts,
            capacity_users=capacity_from_history(prefix),
            broken=broken,
        )
        print_table(out, endpoints, total)
        sent = OutboxMessage.objects.filter(pk__gt=since_pk, state="sent").count()
        out.write(
            f"Overall: {rps:.1f} requests/s; slowest request {slowest_s:.2f} s; "
            f"outbox: {sent} emails sent during the run ({left} without an outcome after a drain of "
            f"{time.monotonic() - clock:.0f} s); "
            f"highest user count with p95 under {P95_TARGET_MS} ms: {result.capacity_users}.\n"
        )
        out.write(memory_line + ".\n")
        if drill is not None:
            out.write(drill.report(answers)[0] + ".\n")
            failures = read_failures(prefix)
            if failures:
                out.write("Locust's failures by kind: " + "; ".join(f"{k} ×{n}" for k, n in failures[:8]) + "\n")
        if paths_5xx:
            out.write("5xx by path: " + ", ".join(f"{p} ×{n}" for p, n in paths_5xx.most_common(10)) + "\n")
            # What the site logged about them (Django logs each error with its traceback).
            logged = server.output()
            first = logged.find("Traceback")
            if first >= 0:
                out.write("gunicorn's log, from its first traceback:\n" + logged[first : first + 4000] + "\n")
        if total is None:
            out.write("Locust wrote no figures: " + (workdir / "locust.log").read_text(errors="replace")[-2000:] + "\n")
        out.write(result.summary + "\n")
        return result
    finally:
        # Stopped together (each waits for its own shutdown), then the services they use.
        with ThreadPoolExecutor(max(1, len(processes))) as pool:
            list(pool.map(lambda process: process.stop(), processes))
        sink.close()
        redis.close()
        if bouncer is not None:
            bouncer.close()
        # The plan holds session cookies: nothing of it stays behind.
        shutil.rmtree(workdir, ignore_errors=True)
