"""Build a large synthetic network for ``make bench``, fast (bulk inserts).

Each app contributes through ``devtools/seed/<app>.py``: ``bench_arguments(parser)`` adds
its options and ``seed_bench(*, options, stdout)`` inserts its rows, in the order of
``devtools.seed.MODULES``. ``--scale N`` multiplies every volume (issue 16: the pages must
hold at ten times the default network); the run prints its elapsed time.
"""

import time

from django.core.management.base import BaseCommand

from devtools.seed import MODULES
from devtools.seed.scaling import scale_of


def _seed_modules():
    return [module for module in MODULES if hasattr(module, "seed_bench")]


class Command(BaseCommand):
    help = "Fill the database with a large synthetic network for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="multiply every volume by N (default 1: 10,000 members, 2,000 organisations, …)",
        )
        known = {action.dest for action in parser._actions}
        for module in _seed_modules():
            if hasattr(module, "bench_arguments"):
                module.bench_arguments(parser)
        # The modules' volumes: integer options with a default, scaled unless given explicitly.
        self._volumes = {
            action.dest: action.default
            for action in parser._actions
            if action.dest not in known and action.type is int and isinstance(action.default, int)
        }

    def handle(self, *args, **options):
        scale = scale_of(options)
        for dest, default in self._volumes.items():
            if options.get(dest) == default:
                options[dest] = default * scale
        start = time.perf_counter()
        for module in _seed_modules():
            module.seed_bench(options=options, stdout=self.stdout)
        elapsed = time.perf_counter() - start
        self.stdout.write(self.style.SUCCESS("Bench data ready."))
        self.stdout.write(f"seed_bench: scale {scale} in {elapsed:.0f} s")
