"""Benchmarks, one module per app, run in this order by ``manage.py bench``: each module's
``run(ctx)`` gets a ``devtools.benchlib.BenchContext``. The labels are what ``--only`` takes
and what the bench prints as headings."""

from devtools.bench import api, digests, evidence, exchanges, network, outbox, practice, search

APPS = [
    ("network", network),
    ("outbox", outbox),
    ("exchanges", exchanges),
    ("evidence", evidence),
    ("practice", practice),
    ("search", search),
    ("digests", digests),
    ("api", api),
]
