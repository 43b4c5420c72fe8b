"""``manage.py loadtest`` (``make loadtest``): the whole stack under many users at once.

Makes sure the database exists, is migrated and holds seed_bench's data (as ``manage.py
bench`` does), then runs ``devtools.loadtest.run``. Exits non-zero when an invariant broke.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.loadtest.faults import LENGTHS
from devtools.loadtest.run import run
from devtools.management.commands.bench import _ensure_database


class Command(BaseCommand):
    help = "Drive the production-like stack with Locust, print the figures and check the invariants."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=100, help="users to ramp to and hold (default 100)")
        parser.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
        parser.add_argument("--spawn-rate", type=float, default=None, help="users started per second")
        parser.add_argument("--members", type=int, default=10_000, help="seed_bench members if the data is missing")
        parser.add_argument(
            "--fault",
            choices=sorted(LENGTHS),
            default=None,
            help="a fault once the load holds: redis (stopped 30 s), worker (one SIGKILLed), "
            "postgres (connections refused and dropped 20 s), smtp (refusing 60 s)",
        )
        parser.add_argument(
            "--soak",
            action="store_true",
            help="a soak: the run fails if any process's resident memory grows 10%% or more after the "
            "warm-up (use with a long --duration, e.g. 1200)",
        )
        parser.add_argument(
            "--pgbouncer",
            action="store_true",
            help="gunicorn and the workers reach PostgreSQL through a private PgBouncer in transaction pooling mode",
        )
        parser.add_argument("--seed-args", default="", help="more seed_bench options, e.g. for a small smoke run")

    def handle(self, *args, **options):
        if not settings.IS_POSTGRES:
            raise CommandError("The load test runs against PostgreSQL: set DATABASE_URL (make loadtest does).")
        if not 1 <= options["users"] <= 2000 or not 5 <= options["duration"] <= 4 * 3600:
            raise CommandError("--users must be 1-2000 and --duration 5-14400 seconds.")
        if options["pgbouncer"]:
            from devtools.localservices import PgBouncer

            if PgBouncer.binary() is None:
                raise CommandError("--pgbouncer needs the pgbouncer binary (apt-get install pgbouncer).")
        _ensure_database()
        call_command("migrate", interactive=False, verbosity=0)
        from network.models import User

        have = User.objects.filter(email__endswith="@bench.example.org").count()
        if have < options["members"]:
            self.stdout.write(f"Adding bench data ({have} bench members found)…")
            extra = options["seed_args"].split()
            call_command("seed_bench", f"--members={options['members']}", *extra, stdout=self.stdout)
        connection.cursor().execute("ANALYZE")
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        result = run(
            users=options["users"],
            duration=options["duration"],
            spawn_rate=options["spawn_rate"],
            fault=options["fault"],
            soak=options["soak"],
            pgbouncer=options["pgbouncer"],
            out=self.stdout,
        )
        if result.broken:
            # The summary line stays the last line of the output; the exit status says it broke.
            sys.exit(1)
