"""Build a large synthetic network for ``make bench``, fast (bulk inserts).

Each app contributes through ``<app>/seed.py``: ``bench_arguments(parser)`` adds its
options and ``seed_bench(*, options, stdout)`` inserts its rows, in app order.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand


def _seed_modules():
    for app in settings.LEARNINGLAB_APPS:
        if find_spec(f"{app}.seed") is not None:
            module = import_module(f"{app}.seed")
            if hasattr(module, "seed_bench"):
                yield module


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
