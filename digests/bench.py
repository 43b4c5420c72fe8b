"""``make bench``: the whole weekly digest run for 20,000 members.

What is measured: ``digest_run`` for the weekly period that just ended, with its batches
run one after the other in this process (one worker's worth of work, no broker): finding
the members due, fetching the candidates once, filtering per member, claiming the
deliveries, rendering every email (subject, text, HTML) and writing it to the outbox.
Each measurement runs inside a transaction that is rolled back afterwards, so the bench
leaves nothing behind, can run again, and hands nothing to a broker or mail server (the
hand-off after commit, one publish per email, is the part not timed).

Queries are counted for two sizes of the network, so that growth per member shows.
Bench members are ``member<N>@bench.example.org`` like network's ``seed_bench``; missing
ones are added (committed) so that 20,000 exist. If the week holds little content (seed
data from other apps may be dated elsewhere), bench exchanges and evidence are added to
the week inside the rolled-back transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from contextlib import contextmanager

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from digests.models import DigestPreference, Frequency, period_for
from digests.providers import items_collect
from digests.services import digest_run
from network.models import Member, Role, Theme

BENCH_DOMAIN = "bench.example.org"
MEMBERS = int(os.environ.get("DIGESTS_BENCH_MEMBERS", "20000"))
SMALL = int(os.environ.get("DIGESTS_BENCH_SMALL", "2000"))
MIN_ITEMS = 40
TARGET_SECONDS = 120
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


def _bench_content(period) -> None:
    """Exchanges and evidence inside the period (called inside the rolled-back transaction)."""
    from evidence.models import EvidenceRecord
    from exchanges.models import Exchange

    rng = random.Random(11)  # noqa: S311 — synthetic data
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
        if themes:
            record.themes.set(rng.sample(themes, k=min(2, len(themes))))


def _measure(ctx, *, members: int, now: dt.datetime) -> dict:
    """One weekly run for the first ``members`` bench members (the others are turned off)."""
    User = get_user_model()
    period = period_for(Frequency.WEEKLY, now)
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


def run(ctx) -> None:
    _write(ctx, "digests: the weekly run, in-process (one worker's work, batches one after the other)")
    ensure_bench_members(MEMBERS, stdout=getattr(ctx, "stdout", None))
    now = timezone.now()
    small = _measure(ctx, members=SMALL, now=now)
    _report(ctx, f"digests weekly run, {small['members']} members", **small)
    large = _measure(ctx, members=MEMBERS, now=now)
    _report(ctx, f"digests weekly run, {large['members']} members", **large)
    growth = large["queries_per_member"] / max(small["queries_per_member"], 0.01)
    verdict = "ok" if large["seconds"] <= TARGET_SECONDS else f"!! over {TARGET_SECONDS} s"
    _report(
        ctx,
        "digests: per member, large vs small",
        query_ratio=round(growth, 2),
        ms_per_member=round(1000 * large["seconds"] / max(1, large["members"]), 2),
        target=f"{TARGET_SECONDS} s for all: {verdict}",
    )
