"""Demo and bench data, one module per app, called in this order by ``manage.py seed_demo``
and ``manage.py seed_bench``: later apps use earlier apps' rows.

Each module may provide ``seed_demo(*, stdout)`` (idempotent demo data),
``bench_arguments(parser)`` and ``seed_bench(*, options, stdout)`` (bulk inserts). Rows
inserted without signals (bulk) must call ``core.cache.changed(namespace)`` for each app's
data they touch. ``seed_bench --scale N`` multiplies every volume (``devtools.seed.scaling``).
"""

from devtools.seed import api, digests, evidence, exchanges, network, outbox, practice, programmes, strategy

MODULES = [network, outbox, exchanges, evidence, practice, programmes, strategy, digests, api]
