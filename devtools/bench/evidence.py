"""Benchmarks for the evidence base (``make bench`` after ``manage.py seed_bench``).

Written against ``devtools/benchlib.py``'s context: ``ctx.measure_page(label, url, user=None, n=50)``
prints queries, median and p95 as ratios to the floor view; ``ctx.report(label, **figures)``.
Targets: dashboard ≤ 15 queries and median ≤ 300 ms; library ≤ 12 queries, median ≤ 10× floor.
The pages serve cached fragments (``core.cache``); the cold figures (every fragment
invalidated before each load, as after any change to evidence) are held to their own targets:
the dashboard's median ≤ 100× the floor, the library's ≤ 20×.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import cache
from core.policy import viewer_for
from devtools.benchlib import COLD_RATIO_TARGET, DASHBOARD_COLD_RATIO_TARGET
from evidence.models import EvidenceRecord
from network.models import Role


def _user(role: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(email=f"bench-{role}@example.org")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _export_10k(user, runs: int = 5) -> dict:
    from evidence.views import export_rows

    visible = EvidenceRecord.objects.visible_to(viewer_for(user)).published()
    # The newest 10,000 visible records, through the same visibility rule the export uses.
    boundary = visible.order_by("-pk").values_list("pk", flat=True)[9_999:10_000].first()
    records = visible.filter(pk__gte=boundary or 0)
    timings, queries, rows = [], 0, 0
    for _i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            rows = sum(1 for _row in export_rows(records)) - 1
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    timings.sort()
    return {
        "rows": rows,
        "queries": queries,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
    }


def run(ctx) -> None:
    funder = _user(Role.FUNDER)
    dashboard = reverse("evidence:dashboard")
    library = reverse("evidence:index")
    ctx.measure_page("evidence dashboard (funder, unfiltered)", dashboard, user=funder, n=20)
    ctx.measure_page(
        "evidence dashboard (funder, filtered)",
        f"{dashboard}?country=SE&dimension=power-building&period_from=2024-01-01",
        user=funder,
        n=20,
    )
    ctx.measure_page("evidence library (anonymous)", library, n=50)
    ctx.measure_page("evidence library (funder, filtered)", f"{library}?country=NL&kind=story", user=funder, n=50)

    # Cold: the fragments invalidated before every load (as after any change to evidence). The
    # dashboard's unfiltered figures come from the rollups kept on write (``evidence.rollups``);
    # the filtered one falls back to the queries on the records (for information).
    def invalidate():
        cache.changed("evidence")

    cold = {"before_each": invalidate, "n": 20}
    ctx.measure_page(
        "evidence dashboard, cold (funder, unfiltered)",
        dashboard,
        user=funder,
        cold_target=DASHBOARD_COLD_RATIO_TARGET,
        **cold,
    )
    ctx.measure_page(
        "evidence dashboard, cold (funder, filtered)",
        f"{dashboard}?country=SE&dimension=power-building&period_from=2024-01-01",
        user=funder,
        checked=False,
        **cold,
    )
    ctx.measure_page("evidence library, cold (anonymous)", library, cold_target=COLD_RATIO_TARGET, **cold)
    ctx.measure_page(
        "evidence library, cold (funder, filtered)",
        f"{library}?country=NL&kind=story",
        user=funder,
        cold_target=COLD_RATIO_TARGET,
        **cold,
    )
    ctx.report("evidence export 10,000 rows (CSV rows)", **_export_10k(funder))
