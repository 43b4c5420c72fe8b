"""``make bench`` for practice: the search (common word, rare word, phrase), the guide library
and a guide page, against the floor view that ``devtools/benchlib.py`` measures in the same run.

Targets: search median ≤ 50 ms; pages ≤ 12 queries and median ≤ 10× the floor.
Written against benchlib's interface: ``ctx.measure_page(label, url, user=None, n=50)`` and
``ctx.report(label, **figures)``.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache
from core.policy import ANONYMOUS
from devtools.benchlib import COLD_RATIO_TARGET
from devtools.seed.practice import RARE_WORD
from network.models import User
from practice.models import Guide
from search import index as searchindex

QUERIES = {
    "common word": "community",
    "rare word": RARE_WORD,
    "phrase": '"community organising"',
}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run(ctx) -> None:
    # The search engine itself (what the 50 ms target is about), then the whole page.
    for label, query in QUERIES.items():
        timings = []
        for _i in range(30):
            start = time.perf_counter()
            searchindex.search(viewer=ANONYMOUS, query=query, use_cache=False)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as captured:
            results = searchindex.search(viewer=ANONYMOUS, query=query, use_cache=False)
        ctx.report(
            f"search engine, uncached: {label}",
            results=results.total,
            queries=len(captured.captured_queries),
            median_ms=round(statistics.median(timings), 1),
            p95_ms=round(_p95(timings), 1),
            target_median_ms=50,
        )
        # The page as anonymous readers get it: cached (``core.cache``) after the first hit.
        ctx.measure_page(f"search page (anonymous, cached): {label}", "/search/?" + urlencode({"q": query}))

    member = User.objects.filter(email="member1@bench.example.org").first()  # network's bench member
    pages = [
        ("guide library", "/practice/", None),
        ("guide library, filtered", "/practice/?kind=method&language=sv&characteristic=online", None),
        ("joint actions", "/practice/joint-actions/", None),
    ]
    guide = Guide.objects.published().order_by("-published_at").first()
    if guide is not None:
        pages.append(("guide page", guide.get_absolute_url(), None))
        if member is not None:
            pages.append(("guide page, signed in", guide.get_absolute_url(), member))
    # As readers meet them (fragments cached until practice changes), then cold (the cache
    # invalidated before every request), for information: the queries and rendering behind them.
    for label, url, user in pages:
        ctx.measure_page(label, url, user=user)
    for label, url, user in pages:
        ctx.measure_page(
            f"{label}, cold",
            url,
            user=user,
            before_each=lambda: cache.changed("practice"),
            cold_target=COLD_RATIO_TARGET,
        )
