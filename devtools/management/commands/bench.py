"""``manage.py bench``: measure pages against a large network on PostgreSQL.

Makes sure the bench database exists, is migrated and holds seed_bench's data, then
measures the floor view and calls ``run(ctx)`` of every ``devtools/bench/<app>.py`` (in
``devtools.bench.APPS`` order). Runs with DEBUG off and test-client-friendly hosts.
"""

from __future__ import annotations

import logging

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.test.utils import override_settings

from devtools.bench import APPS
from devtools.benchlib import BenchContext, write_json
from devtools.seed import exchanges as seed_exchanges
from devtools.seed import programmes as seed_programmes
from devtools.seed import strategy as seed_strategy


def _ensure_database() -> None:
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        params = settings.DATABASES["default"]
        dsn = {
            "host": params.get("HOST") or None,
            "port": params.get("PORT") or None,
            "user": params.get("USER") or None,
            "password": params.get("PASSWORD") or None,
            "dbname": "postgres",
        }
        with psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{params["NAME"]}"')


class Command(BaseCommand):
    help = "Benchmark pages (queries, median, p95, ratio to a floor view) against a large network."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="seed (on first use) seed_bench's default volumes times N (issue 16 compares 1 and 10)",
        )
        parser.add_argument("--members", type=int, default=None, help="default 10,000 times --scale")
        parser.add_argument("--organisations", type=int, default=None, help="default 2,000 times --scale")
        parser.add_argument(
            "--json",
            metavar="PATH",
            help="also write every measured page's figures to PATH (what bench_compare reads)",
        )
        parser.add_argument("--requests", type=int, default=50, help="requests per page (default 50)")
        parser.add_argument("--skip-seed", action="store_true", help="do not check for or add bench data")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            choices=[app for app, _module in APPS],
            metavar="APP",
            help="benchmark only these apps",
        )

    def handle(self, *args, **options):
        if not settings.IS_POSTGRES:
            raise CommandError("The bench runs against PostgreSQL: set DATABASE_URL (make bench does).")
        _ensure_database()
        call_command("migrate", interactive=False, verbosity=0)
        scale = options["scale"]
        members = options["members"] or 10_000 * scale
        organisations = options["organisations"] or 2_000 * scale
        if not options["skip_seed"]:
            from network.models import User

            have = User.objects.filter(email__endswith="@bench.example.org").count()
            if have < members:
                self.stdout.write(f"Adding bench data ({have} bench members found)…")
                call_command(
                    "seed_bench",
                    scale=scale,
                    members=members,
                    organisations=organisations,
                    stdout=self.stdout,
                )
            else:
                # Bench databases seeded before an app's bench data existed get it now: these
                # seeders check for their rows first and add only what is missing (cheap when
                # present; the others rebuild theirs, so they run only with the members).
                for module in (seed_exchanges, seed_programmes, seed_strategy):
                    module.seed_bench(options={}, stdout=self.stdout)
        # This machine's PostgreSQL runs with autovacuum off; production's autovacuum keeps the
        # statistics and the visibility maps (which index-only scans need) current after bulk loads.
        connection.cursor().execute("VACUUM ANALYZE")
        # Without Redis the bench runs tasks in process; Celery logs each one ("Task … succeeded"),
        # thousands of lines that would bury the figures.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        # The test client's host and plain HTTP; everything else stays as in production. (No
        # setup_test_environment: its instrumented template rendering would skew the timings.)
        with override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            SECURE_SSL_REDIRECT=False,
            ROOT_URLCONF="devtools.bench_urls",
        ):
            ctx = BenchContext(stdout=self.stdout, default_n=options["requests"])
            ctx.measure_floor()
            for app, module in APPS:
                if options["only"] and app not in options["only"]:
                    continue
                self.stdout.write(self.style.MIGRATE_HEADING(f"{app}"))
                module.run(ctx)
            ok = ctx.summary()
        if options["json"]:
            write_json(ctx, options["json"], database=settings.DATABASES["default"]["NAME"])
            self.stdout.write(f"Figures written to {options['json']}.")
        if not ok:
            self.stdout.write(self.style.WARNING("Some pages are over target."))
