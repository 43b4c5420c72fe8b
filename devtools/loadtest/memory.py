"""Resident memory of the stack's processes during a load test (issue 16's soak).

``MemorySampler`` samples, every ``interval`` seconds, the resident set size of each process
under the given parents (gunicorn's master and workers, each Celery worker's main process and
its pool children, beat), keyed by a stable label ("gunicorn worker 2", "celery load0 child
1"). ``report()`` compares, per process, the median of the samples of the first fifth after
``warm_up_s`` with the median of the last fifth: growth under ``LIMIT`` (10%) holds. A process
that was replaced during the run (a fault drill kills a worker) is reported but not judged.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

import psutil

LIMIT = 0.10


@dataclass
class Series:
    label: str
    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)


@dataclass
class Growth:
    label: str
    start_mib: float
    end_mib: float
    samples: int

    @property
    def growth(self) -> float:
        return (self.end_mib - self.start_mib) / self.start_mib if self.start_mib else 0.0

    @property
    def holds(self) -> bool:
        return self.growth < LIMIT


class MemorySampler(threading.Thread):
    """Samples until ``stop()``; bounded by ``max_seconds`` whatever happens."""

    def __init__(self, parents: dict[str, int], *, interval: float = 5.0, max_seconds: float = 4 * 3600):
        super().__init__(daemon=True, name="memory-sampler")
        self.parents = parents
        self.interval = interval
        self.max_seconds = max_seconds
        self.series: dict[tuple[str, int], Series] = {}
        self._halt = threading.Event()
        self._t0 = time.monotonic()

    def _processes(self) -> list[tuple[str, psutil.Process]]:
        found = []
        for name, pid in self.parents.items():
            try:
                parent = psutil.Process(pid)
                children = sorted(parent.children(recursive=True), key=lambda p: p.pid)
            except psutil.Error:
                continue
            found.append((f"{name} main", parent))
            found += [(f"{name} child {n}", child) for n, child in enumerate(children, 1)]
        return found

    def sample_once(self) -> None:
        now = time.monotonic() - self._t0
        for label, process in self._processes():
            try:
                rss = process.memory_info().rss
            except psutil.Error:
                continue
            series = self.series.setdefault((label, process.pid), Series(label, process.pid))
            series.samples.append((now, rss))

    def run(self) -> None:
        while not self._halt.is_set() and time.monotonic() - self._t0 < self.max_seconds:
            self.sample_once()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(self.interval + 5)

    def report(self, *, warm_up_s: float) -> list[Growth]:
        """Per process that lived through the whole measured window: the median RSS of the
        first and of the last fifth of its samples after the warm-up."""
        end = max((s[-1][0] for s in (x.samples for x in self.series.values()) if s), default=0.0)
        result = []
        for series in self.series.values():
            kept = [(t, rss) for t, rss in series.samples if t >= warm_up_s]
            # A process that started late or ended early (a replaced worker) is not judged.
            if len(kept) < 5 or kept[0][0] > warm_up_s + 2 * self.interval or kept[-1][0] < end - 2 * self.interval:
                continue
            fifth = max(1, len(kept) // 5)
            start = statistics.median(rss for _t, rss in kept[:fifth]) / 2**20
            finish = statistics.median(rss for _t, rss in kept[-fifth:]) / 2**20
            result.append(Growth(series.label, round(start, 1), round(finish, 1), len(kept)))
        return sorted(result, key=lambda g: g.label)


def summary(growths: list[Growth]) -> tuple[str, bool]:
    """One line for the output and whether every process held the limit."""
    if not growths:
        return "memory: too few samples to judge (run longer than the warm-up)", True
    worst = max(growths, key=lambda g: g.growth)
    holds = all(g.holds for g in growths)
    parts = ", ".join(f"{g.label} {g.start_mib:.0f}→{g.end_mib:.0f} MiB" for g in growths)
    verdict = "held" if holds else "broken"
    return (
        f"memory after warm-up: {parts}; largest growth {worst.growth:+.1%} ({worst.label}), "
        f"limit {LIMIT:.0%}: {verdict}",
        holds,
    )
