"""Helpers for ``manage.py bench``: measure pages the way a user meets them.

``BenchContext.measure_page`` sends ``n`` requests through Django's test client (the whole
middleware stack, templates, the database), records the queries of one request and the
server time of each, and prints queries, median, p95 and the ratio of the median to the
*floor*: a minimal Django view that reads one row and renders a tiny template, measured
the same way in the same run. Each app's benchmarks are ``devtools/bench/<app>.py::run(ctx)``.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.shortcuts import render
from django.test import Client
from django.test.utils import CaptureQueriesContext

FLOOR_URL = "/__bench__/floor/"
QUERY_TARGET = 10
RATIO_TARGET = 10.0
# Pages with their fragment cache invalidated before every request ("cold", as right after any
# change): the median within 20× the floor, the funder dashboard's within 100× (issue 16).
COLD_RATIO_TARGET = 20.0
DASHBOARD_COLD_RATIO_TARGET = 100.0


def floor_view(request):
    """The floor: one row read, a tiny template rendered."""
    from network.models import Theme

    theme = Theme.objects.only("slug").order_by("pk").first()
    return render(request, "devtools/bench_floor.html", {"theme": theme})


@dataclass
class Measurement:
    label: str
    queries: int
    median_ms: float
    p95_ms: float
    ratio: float | None
    status: int
    # False for figures printed for information only (e.g. a page with its cache invalidated).
    checked: bool = True
    # What ``ratio`` divides by: "floor", or a page of the same kind named by ``measure_page``'s
    # ``floor_url`` (then ``floor_ratio`` is still the ratio to the floor, for information).
    against: str = "floor"
    floor_ratio: float | None = None
    # With ``measure_page(..., floor_url=..., floor_for_information=True)``: the ratio to that
    # page (e.g. "8.1x admin floor"), printed beside the ratio to the floor, which stays the target.
    beside: str = ""
    # The most queries the page may make (``QUERY_TARGET`` unless the page says why not), or
    # None for a cold page (its queries are printed, only its time is held to a target).
    query_target: int | None = QUERY_TARGET
    # The most the median may be, as a multiple of what ``against`` names.
    ratio_target: float = RATIO_TARGET
    cold: bool = False

    def over(self) -> list[str]:
        """What this measurement misses of its targets (nothing for information-only figures)."""
        if not self.checked:
            return []
        flags = []
        if self.query_target is not None and self.queries > self.query_target:
            flags.append(f"queries > {self.query_target}")
        if self.ratio is not None and self.ratio > self.ratio_target:
            flags.append(f"median > {self.ratio_target:g}x {self.against}")
        return flags


@dataclass
class BenchContext:
    stdout: object
    default_n: int = 50
    results: list[Measurement] = field(default_factory=list)
    floor_median_ms: float | None = None
    _clients: dict = field(default_factory=dict)

    def _client(self, user) -> Client:
        key = user.pk if user is not None else None
        if key not in self._clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            self._clients[key] = client
        return self._clients[key]

    def measure_page(
        self,
        label: str,
        url: str,
        user=None,
        n: int | None = None,
        before_each: Callable[[], None] | None = None,
        checked: bool = True,
        floor_url: str | None = None,
        floor_label: str = "",
        headers: dict | None = None,
        query_target: int = QUERY_TARGET,
        cold_target: float | None = None,
        floor_for_information: bool = False,
    ) -> Measurement:
        """Request ``url`` ``n`` times (default 50, or ``--requests``) as ``user`` if given; print the figures.

        ``before_each`` (untimed) runs before every request, e.g. ``lambda: cache.changed("network")``
        to measure the page with its cached fragments invalidated ("cold"). ``checked=False`` prints the
        figures without holding them to the targets. ``floor_url`` (requested by the same user, and
        named ``floor_label``) replaces the floor as what the target's ratio divides by, for pages
        whose framework costs more than the target before they draw anything (the Django admin);
        the ratio to the floor is printed beside it; with ``floor_for_information=True`` the floor
        stays the target and the ratio to ``floor_url`` is printed beside it. ``headers`` go with every request (an API
        token's Authorization header). ``query_target`` replaces the usual ceiling of queries for
        a page that shows more relations than it (constant in rows all the same).
        ``cold_target`` marks a cold measurement (``before_each`` invalidates the cache): its
        median is held to that many times the floor (``COLD_RATIO_TARGET``,
        ``DASHBOARD_COLD_RATIO_TARGET``) instead of ``RATIO_TARGET``, and its queries are printed only.
        """
        n = n or self.default_n
        before_each = before_each or (lambda: None)
        client = self._client(user)
        # One warm-up request: template loading, translations and connection set-up are paid once.
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {url} answered {response.status_code}")
        before_each()
        with CaptureQueriesContext(connection) as captured:
            client.get(url, headers=headers)
        # Read now: the next request's request_started signal empties the connection's query log.
        queries = len(captured.captured_queries)
        timings = []
        floor_timings = []
        own_floor_timings = []
        floor_client = self._client(None)
        if floor_url is not None:
            client.get(floor_url)
        for _ in range(n):
            # The floor is sampled between the page's requests, so that both see the same
            # machine load (other processes on a shared machine would otherwise skew the ratio).
            if self.floor_median_ms is not None:
                start = time.perf_counter()
                floor_client.get(FLOOR_URL)
                floor_timings.append((time.perf_counter() - start) * 1000)
            if floor_url is not None:
                start = time.perf_counter()
                client.get(floor_url)
                own_floor_timings.append((time.perf_counter() - start) * 1000)
            before_each()
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        ratio = median / statistics.median(floor_timings) if floor_timings else None
        result = Measurement(
            label, queries, median, p95, ratio, response.status_code, checked, query_target=query_target
        )
        if cold_target is not None:
            result.cold, result.ratio_target, result.query_target = True, cold_target, None
        if own_floor_timings and floor_for_information:
            own = median / statistics.median(own_floor_timings)
            result.beside = f"{own:.1f}x {floor_label or floor_url}"
        elif own_floor_timings:
            result.floor_ratio = ratio
            result.ratio = median / statistics.median(own_floor_timings)
            result.against = floor_label or floor_url
        self.results.append(result)
        self._print(result)
        return result

    def measure_floor(self) -> Measurement:
        # More samples for the floor: every ratio divides by it.
        result = self.measure_page("floor (one row, tiny template)", FLOOR_URL, n=max(200, self.default_n))
        self.floor_median_ms = result.median_ms
        return result

    def report(self, label: str, **figures) -> None:
        """Print other figures (sizes, durations) in the same table."""
        text = ", ".join(f"{key}={value}" for key, value in figures.items())
        self.stdout.write(f"  {label:<48} {text}")

    def _print(self, r: Measurement) -> None:
        ratio = f"{r.ratio:5.1f}x" if r.ratio is not None else "  1.0x"
        flags = ["(for information)"] if not r.checked else r.over()
        verdict = ("  " + ("" if not r.checked else "!! ") + ", ".join(flags)) if flags else ""
        against = ""
        if r.against != "floor":
            against = f" {r.against} ({r.floor_ratio:.1f}x floor)" if r.floor_ratio is not None else f" {r.against}"
        if r.beside:
            against += f" ({r.beside})"
        target = f"  target={r.ratio_target:g}x" if r.cold else ""
        self.stdout.write(
            f"  {r.label:<48} queries={r.queries:>3}  median={r.median_ms:7.2f} ms  p95={r.p95_ms:7.2f} ms"
            f"  ratio={ratio}{against}{target}{verdict}"
        )

    def summary(self) -> bool:
        """True when every measured page met the targets."""
        failures = [r for r in self.results if r.over()]
        self.stdout.write(
            f"{len(self.results) - 1} pages measured; "
            + (
                "all within targets."
                if not failures
                else f"{len(failures)} over target: " + ", ".join(r.label for r in failures)
            )
        )
        return not failures


def write_json(ctx: BenchContext, path: str, *, database: str) -> None:
    """Every measured page's figures, for ``manage.py bench_compare`` (one run at 1x data, one at 10x)."""
    from network.models import Member, Organisation

    payload = {
        "database": database,
        "members": Member.objects.count(),
        "organisations": Organisation.objects.count(),
        "floor_median_ms": ctx.floor_median_ms,
        "pages": [dataclasses.asdict(result) for result in ctx.results],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=1)
