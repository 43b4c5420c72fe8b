"""Benchmarks, one module per app, run in this order by ``manage.py bench``: each module's
``run(ctx)`` gets a ``devtools.benchlib.BenchContext``. The labels are what ``--only`` takes
and what the bench prints as headings."""

from devtools.bench import api, digests, evidence, exchanges, network, outbox, practice, programmes, search, strategy

APPS = [
    ("network", network),
    ("outbox", outbox),
    ("exchanges", exchanges),
    ("evidence", evidence),
    ("practice", practice),
    ("strategy", strategy),
    ("programmes", programmes),
    ("search", search),
    ("digests", digests),
    ("api", api),
]
