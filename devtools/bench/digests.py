"""``make bench``: the whole weekly digest run for 20,000 members.

Two measurements:

1. **The real run** (wall time). A private ``redis-server`` on a spare port and one Celery
   worker process (``--pool=solo``: one task at a time, no child processes) on the bench
   database, both started for the bench (``devtools.localservices``). The job is started the
   way beat starts it: the ``digests-weekly`` entry of ``CELERY_BEAT_SCHEDULE`` is sent as
   a task. The clock runs from that send until every due member has a ``DigestDelivery``
   row, i.e. ``digests.run`` found the members and fetched the candidates, and every
   ``digests.send_batch`` rendered its emails, wrote them to the outbox and committed
   (each email's hand-over to the broker included). The worker's email backend is locmem
   and the worker is stopped as soon as the clock stops, so nothing leaves the machine.
   The measured members are the first 20,000 bench members; their digest state is reset
   before the run (earlier deliveries of the period and their emails removed, due again),
   every other eligible member is turned off for the run, and everything the run wrote
   (runs, deliveries, outbox rows, preference rows) is removed or restored afterwards, in
   ``finally``, so ``make bench`` can run again. Processes are stopped in ``finally`` too.
2. **Queries per member** at two sizes (2,000 and 20,000), in this process: ``digest_run``
   with its batches one after the other, inside a transaction that is rolled back. The
   per-member figure must not grow with the size of the network.

Bench members are ``member<N>@bench.example.org`` like network's ``seed_bench``; missing
ones are added (committed) so that 20,000 exist. If the week holds little content (seed
data from other apps may be dated elsewhere), bench exchanges and evidence are added to
the week: inside the rolled-back transaction for the in-process figures, committed and
deleted afterwards for the real run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from devtools.localservices import CeleryProcess, RedisServer, broker_at, celery_env, wait_until
from digests.models import DigestDelivery, DigestPreference, DigestRun, Frequency, period_for
from digests.providers import items_collect
from digests.services import EMAIL_KIND, digest_run, eligible_users
from network.models import Member, Role, Theme
from outbox.models import OutboxMessage

BENCH_DOMAIN = "bench.example.org"
MEMBERS = int(os.environ.get("DIGESTS_BENCH_MEMBERS", "20000"))
SMALL = int(os.environ.get("DIGESTS_BENCH_SMALL", "2000"))
MIN_ITEMS = 40
TARGET_SECONDS = 120
# The real run gives up after this long (and says so) rather than waiting for ever.
REAL_RUN_TIMEOUT = int(os.environ.get("DIGESTS_BENCH_TIMEOUT", "900"))
BEAT_ENTRY = "digests-weekly"
COUNTRIES = ["SE", "NL", "BE", "DE", "FR", "ES", "IT", "PL", "DK", "FI", "IE", "PT"]
LANGUAGES = ["en", "sv", "nl"]
# Bench members never log in.
UNUSABLE_PASSWORD = make_password(None)


class _Rollback(Exception):
    pass


@contextmanager
def _rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _write(ctx, text: str) -> None:
    stdout = getattr(ctx, "stdout", None)
    (stdout.write if stdout is not None else print)(text)


def _report(ctx, label: str, **figures) -> None:
    if hasattr(ctx, "report"):
        ctx.report(label, **figures)
    else:
        _write(ctx, f"  {label:<48} " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def ensure_bench_members(total: int, *, stdout=None) -> int:
    """Make sure ``total`` bench members exist, with verified addresses. Returns how many were added."""
    User = get_user_model()
    existing = set(User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").values_list("email", flat=True))
    wanted = []
    n = 1
    while len(existing) + len(wanted) < total:
        email = f"member{n}@{BENCH_DOMAIN}"
        if email not in existing:
            wanted.append(email)
        n += 1
    rng = random.Random(7)  # noqa: S311 — synthetic data
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    organiser, _created = Group.objects.get_or_create(name=Role.ORGANISER)
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(email=email, password=UNUSABLE_PASSWORD, first_name="Bench", last_name=email.split("@")[0])
                    for email in chunk
                ]
            )
            EmailAddress.objects.bulk_create(
                [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
            )
            User.groups.through.objects.bulk_create(
                [User.groups.through(user_id=user.pk, group_id=organiser.pk) for user in users]
            )
            members = Member.objects.bulk_create(
                [
                    Member(
                        user=user,
                        display_name=f"Bench {user.email.split('@')[0]}",
                        country=rng.choice(COUNTRIES),
                        preferred_language=(language := rng.choice(LANGUAGES)),
                        languages=sorted({language, "en"}),
                    )
                    for user in users
                ]
            )
            if theme_ids:
                Member.themes.through.objects.bulk_create(
                    [
                        Member.themes.through(member_id=member.pk, theme_id=theme_id)
                        for member in members
                        for theme_id in rng.sample(theme_ids, k=min(2, len(theme_ids)))
                    ],
                    ignore_conflicts=True,
                )
    # Bench members from elsewhere without a verified address would never get a digest.
    unverified = (
        User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")
        .exclude(emailaddress__verified=True)
        .values_list("pk", "email")
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=pk, email=email, verified=True, primary=True) for pk, email in unverified],
        ignore_conflicts=True,
    )
    if stdout is not None and wanted:
        stdout.write(f"digests: {len(wanted)} bench members added")
    return len(wanted)


def _bench_content(period) -> list:
    """Exchanges and evidence inside the period; returns what it created."""
    from evidence.models import EvidenceRecord
    from exchanges.models import Exchange

    rng = random.Random(11)  # noqa: S311 — synthetic data
    created = []
    themes = list(Theme.objects.all())
    middle = period.start + (period.until - period.start) / 2
    for n in range(15):
        starts = period.until + dt.timedelta(days=20 + n)
        exchange = Exchange.objects.create(
            title=f"Bench exchange {n}: organising tenants across borders",
            slug=f"bench-digest-exchange-{n}",
            summary="Organisers from several countries compare how they built power in their neighbourhoods.",
            status=Exchange.Status.PUBLISHED,
            kind=Exchange.Kind.CONVENING if n % 7 == 6 else Exchange.Kind.ONLINE,
            country=rng.choice(COUNTRIES) if n % 3 else "",
            working_languages=[rng.choice(LANGUAGES)],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            registration_opens_at=middle + dt.timedelta(minutes=n),
            published_at=middle + dt.timedelta(minutes=n),
        )
        created.append(exchange)
        if themes:
            exchange.themes.set(rng.sample(themes, k=min(2, len(themes))))
    visibilities = list(EvidenceRecord.Visibility.values)
    for n in range(30):
        # Outcome statements: stories would need a consent record before the evidence app
        # reports them at all.
        record = EvidenceRecord.objects.create(
            kind=EvidenceRecord.Kind.OUTCOME,
            layer=EvidenceRecord.Layer.OUTCOME,
            title=f"Bench evidence {n}: what changed after the campaign",
            summary="An outcome statement from a neighbourhood organising effort.",
            status=EvidenceRecord.Status.PUBLISHED,
            visibility=visibilities[n % len(visibilities)],
            original_language=rng.choice(LANGUAGES),
            published_at=middle + dt.timedelta(minutes=n),
        )
        created.append(record)
        if themes:
            record.themes.set(rng.sample(themes, k=min(2, len(themes))))
    return created


def _measure(ctx, *, members: int, now: dt.datetime) -> dict:
    """One weekly run for the first ``members`` bench members (the others are turned off)."""
    User = get_user_model()
    period = period_for(Frequency.WEEKLY, now)
    _vacuum()
    with _rolled_back():
        if len(items_collect(boundaries=[period.start], until=period.until)) < MIN_ITEMS:
            _bench_content(period)
        # Everybody who is not among the measured members is turned off for this run.
        chosen = list(
            User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")
            .order_by("pk")
            .values_list("pk", flat=True)[:members]
        )
        others = User.objects.exclude(pk__in=chosen)
        DigestPreference.objects.bulk_create(
            [DigestPreference(user_id=pk, frequency=Frequency.OFF) for pk in others.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
        DigestPreference.objects.exclude(user_id__in=chosen).update(frequency=Frequency.OFF)
        DigestPreference.objects.filter(user_id__in=chosen).update(frequency=Frequency.WEEKLY, covered_until=None)
        counter = _QueryCounter()
        load = os.getloadavg()[0]
        start, cpu_start = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            result = digest_run(frequency=Frequency.WEEKLY, now=now)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "members": result.due,
        "seconds": round(seconds, 1),
        # This process's CPU time (rendering, Python): on a busy machine wall time says little.
        "cpu_seconds": round(cpu, 1),
        "load_at_start": round(load, 1),
        "queued": result.queued,
        "empty": result.empty,
        "items": result.items,
        "queries": counter.count,
        "queries_per_member": round(counter.count / max(1, result.due), 2),
    }


# The tables each run fills and empties again.
CHURNED_TABLES = ("digests_digestpreference", "digests_digestdelivery", "digests_digestrun", "outbox_outboxmessage")


def _vacuum() -> None:
    """Clear the dead rows earlier runs left behind and refresh the planner's statistics.

    Each bench run writes and removes tens of thousands of rows. In production autovacuum
    does this; the PostgreSQL of these machines runs with autovacuum off, and there the
    dead rows of earlier runs piled up (340,000 in the preference table after a few runs)
    and made each run slower than the one before. Outside any transaction, as VACUUM must be.
    """
    with connection.cursor() as cursor:
        for table in CHURNED_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _bench_user_ids(members: int) -> list[int]:
    User = get_user_model()
    return list(
        User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").order_by("pk").values_list("pk", flat=True)[:members]
    )


def _digest_keys(period, user_ids) -> list[str]:
    # The idempotency key of a member's digest, as ``digest_batch_send`` writes it.
    return [f"digest:{period.frequency}:{period.key}:{pk}" for pk in user_ids]


class _RealRunState:
    """What the real run changes, and how to put it back.

    Preferences are snapshotted (they are the only rows of other members the bench
    touches); runs, deliveries and emails of the period are the bench's own and removed.
    """

    def __init__(self, period, chosen: list[int]):
        self.period = period
        self.chosen = chosen
        self.preferences = {
            user_id: (frequency, covered_until)
            for user_id, frequency, covered_until in DigestPreference.objects.values_list(
                "user_id", "frequency", "covered_until"
            )
        }
        self.content: list = []

    def _remove_period(self) -> dict:
        """Delete this period's deliveries, emails and runs of the chosen members."""
        deliveries = DigestDelivery.objects.filter(
            frequency=self.period.frequency, period=self.period.key, user_id__in=self.chosen
        )
        removed = {"deliveries": deliveries.delete()[0]}
        removed["emails"] = OutboxMessage.objects.filter(
            kind=EMAIL_KIND, idempotency_key__in=_digest_keys(self.period, self.chosen)
        ).delete()[0]
        # Runs of the period nobody else's deliveries point to (the bench's, from earlier).
        removed["runs"] = (
            DigestRun.objects.filter(frequency=self.period.frequency, period=self.period.key)
            .exclude(deliveries__isnull=False)
            .delete()[0]
        )
        return removed

    def prepare(self) -> dict:
        """The chosen members due for the period; every other eligible member off."""
        removed = self._remove_period()
        chosen = set(self.chosen)
        others = [pk for pk in eligible_users().values_list("pk", flat=True) if pk not in chosen]
        with transaction.atomic():
            DigestPreference.objects.bulk_create(
                [DigestPreference(user_id=pk, frequency=Frequency.OFF) for pk in others], ignore_conflicts=True
            )
            DigestPreference.objects.filter(user_id__in=others).update(frequency=Frequency.OFF)
            DigestPreference.objects.filter(user_id__in=self.chosen).update(
                frequency=Frequency.WEEKLY, covered_until=None
            )
        return {**removed, "others_turned_off": len(others)}

    def restore(self) -> None:
        self._remove_period()
        with transaction.atomic():
            # Preference rows the bench or the run created go; the others get their values back.
            DigestPreference.objects.exclude(user_id__in=list(self.preferences)).delete()
            rows = list(DigestPreference.objects.filter(user_id__in=list(self.preferences)))
            for row in rows:
                row.frequency, row.covered_until = self.preferences[row.user_id]
            DigestPreference.objects.bulk_update(rows, ["frequency", "covered_until"], batch_size=2000)
            for obj in self.content:
                type(obj).objects.filter(pk=obj.pk).delete()


def _content_for_real_run(state: _RealRunState) -> None:
    """Committed bench content when the week holds too little (deleted by ``restore``)."""
    from evidence.models import EvidenceRecord
    from exchanges.models import Exchange

    period = state.period
    if len(items_collect(boundaries=[period.start], until=period.until)) >= MIN_ITEMS:
        return
    # Left behind by a bench that was killed before its clean-up.
    Exchange.objects.filter(slug__startswith="bench-digest-exchange-").delete()
    EvidenceRecord.objects.filter(title__startswith="Bench evidence ", summary__startswith="An outcome").delete()
    with transaction.atomic():
        state.content = _bench_content(period)


def _real_run(ctx, *, members: int) -> dict:
    """The weekly run on a real worker, started as beat starts it; wall time to the last delivery."""
    now = timezone.now()
    period = period_for(Frequency.WEEKLY, now)
    entry = settings.CELERY_BEAT_SCHEDULE[BEAT_ENTRY]
    chosen = _bench_user_ids(members)
    state = _RealRunState(period, chosen)
    redis = worker = None
    try:
        _content_for_real_run(state)
        prepared = state.prepare()
        expected = eligible_users().filter(pk__in=chosen).count()
        _vacuum()
        redis = RedisServer()
        redis.start()
        env = celery_env(
            broker_url=redis.url,
            database_url=_database_url(),
            smtp_port=0,
            # Emails stay in the worker's memory: nothing leaves the machine.
            EMAIL_HOST="",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CACHE_KEY_PREFIX="digests-bench",
            # Production-like: the worker keeps its database connection between tasks.
            DB_CONN_MAX_AGE="600",
            CELERY_TASK_SOFT_TIME_LIMIT="60",
            CELERY_TASK_TIME_LIMIT="90",
            OUTBOX_REQUEUE_AFTER_SECONDS="900",
            OUTBOX_RECLAIM_AFTER_SECONDS="300",
        )
        worker = CeleryProcess("worker", env=env, name="digests-bench")
        worker.wait_ready(120)
        deliveries = DigestDelivery.objects.filter(frequency=period.frequency, period=period.key)

        def done():
            if worker.process.poll() is not None:
                raise RuntimeError("The worker stopped during the run:\n" + worker.output()[-3000:])
            return deliveries.count() >= expected

        load = os.getloadavg()[0]
        cpu_before = _cpu_seconds(worker.process.pid)
        with broker_at(redis.url) as app:
            started = time.monotonic()
            app.send_task(entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
        try:
            wait_until(done, REAL_RUN_TIMEOUT, interval=0.25, message="a delivery row for every due member")
        except AssertionError:
            _write(ctx, "digests: worker log (tail)\n" + worker.output()[-3000:])
            raise
        seconds = time.monotonic() - started
        cpu = _cpu_seconds(worker.process.pid) - cpu_before
        run = DigestRun.objects.filter(frequency=period.frequency, period=period.key).order_by("-pk").first()
        return {
            "members": expected,
            "seconds": round(seconds, 1),
            # The worker's own CPU (rendering, Python; PostgreSQL not included): on a busy
            # shared machine wall time says as much about the neighbours as about the job.
            "worker_cpu_seconds": round(cpu, 1),
            "load_at_start": round(load, 1),
            "batches": run.batch_count if run else None,
            "queued": run.queued_count if run else None,
            "empty": run.empty_count if run else None,
            "items": len(run.items) if run else None,
            "emails_in_outbox": OutboxMessage.objects.filter(
                kind=EMAIL_KIND, idempotency_key__in=_digest_keys(period, chosen)
            ).count(),
            "reset_before": ", ".join(f"{k} {v}" for k, v in prepared.items()),
        }
    finally:
        # Stop the worker first: nothing may write while the rows are being removed.
        try:
            if worker is not None:
                worker.stop()
        finally:
            try:
                if redis is not None:
                    redis.close()
            finally:
                state.restore()


def run(ctx) -> None:
    ensure_bench_members(MEMBERS, stdout=getattr(ctx, "stdout", None))
    _write(
        ctx,
        "digests: the weekly run on one real Celery worker (--pool=solo, private Redis), started as beat starts it",
    )
    real = _real_run(ctx, members=MEMBERS)
    verdict = "ok" if real["seconds"] <= TARGET_SECONDS else f"!! over {TARGET_SECONDS} s"
    _report(ctx, f"digests weekly run, real worker, {real['members']} members", **real)
    _report(
        ctx,
        "digests: real run, all rendered and queued",
        seconds=real["seconds"],
        ms_per_member=round(1000 * real["seconds"] / max(1, real["members"]), 2),
        target=f"{TARGET_SECONDS} s: {verdict}",
    )
    _write(ctx, "digests: queries per member, in-process (batches one after the other, rolled back)")
    now = timezone.now()
    small = _measure(ctx, members=SMALL, now=now)
    _report(ctx, f"digests weekly run, in-process, {small['members']} members", **small)
    large = _measure(ctx, members=MEMBERS, now=now)
    _report(ctx, f"digests weekly run, in-process, {large['members']} members", **large)
    growth = large["queries_per_member"] / max(small["queries_per_member"], 0.01)
    _report(
        ctx,
        "digests: queries per member, large vs small",
        small=small["queries_per_member"],
        large=large["queries_per_member"],
        ratio=round(growth, 2),
        verdict="ok: does not grow" if growth <= 1.05 else "!! grows with the network",
    )
