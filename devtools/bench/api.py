"""Benchmarks of the public API's lists (``make bench``): a page of 50 of each resource, as a
visitor and with a member's personal access token, held to the floor's target like pages."""

from __future__ import annotations

import resource
import time

from django.test import override_settings

from api.opendata import package_write
from api.services import token_create
from evidence.models import EvidenceRecord, MetricUpdate
from network.models import User


def run(ctx) -> None:
    member = User.objects.get(email="member1@bench.example.org")
    raw = token_create(user=member, name="bench", expires_in_days=1).raw
    names = ["organisations", "exchanges", "guides", "joint-actions", "evidence", "indicators"]
    # The bench asks hundreds of times a minute from one address: lift the rate limits.
    with override_settings(API_RATE_LIMIT_ANONYMOUS=10**9, API_RATE_LIMIT_TOKEN=10**9):
        for name in names:
            ctx.measure_page(f"API {name} (50)", f"/api/v1/{name}/?limit=50")
        ctx.measure_page("API evidence (50), filtered", "/api/v1/evidence/?limit=50&kind=outcome&q=a")
        ctx.measure_page(
            "API evidence (50), with a member's token",
            "/api/v1/evidence/?limit=50",
            headers={"Authorization": f"Bearer {raw}"},
        )

    # The nightly package: its time and the process's peak memory (the target: 50,000
    # records and 200,000 metric updates in 60 s, with memory that does not grow with them).
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    package = package_write()
    ctx.report(
        "open-data package",
        records=EvidenceRecord.objects.count(),
        metric_updates=MetricUpdate.objects.count(),
        rows=sum(package.counts.values()),
        seconds=f"{time.monotonic() - started:.1f}",
        peak_rss_mib=f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
        peak_before_mib=f"{before / 1024:.0f}",
    )
