"""Build a large synthetic network for ``make bench``, fast (bulk inserts).

Each app contributes through ``devtools/seed/<app>.py``: ``bench_arguments(parser)`` adds
its options and ``seed_bench(*, options, stdout)`` inserts its rows, in the order of
``devtools.seed.MODULES``.
"""

from django.core.management.base import BaseCommand

from devtools.seed import MODULES


def _seed_modules():
    return [module for module in MODULES if hasattr(module, "seed_bench")]


class Command(BaseCommand):
    help = "Fill the database with a large synthetic network for benchmarks."

    def add_arguments(self, parser):
        for module in _seed_modules():
            if hasattr(module, "bench_arguments"):
                module.bench_arguments(parser)

    def handle(self, *args, **options):
        for module in _seed_modules():
            module.seed_bench(options=options, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Bench data ready."))
