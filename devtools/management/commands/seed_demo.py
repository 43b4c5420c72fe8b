"""Build the demo network. Idempotent: running it twice changes nothing the second time.

Each app's demo data is ``devtools/seed/<app>.py::seed_demo(*, stdout)``, called in the
order of ``devtools.seed.MODULES`` so that later apps can use earlier apps' rows.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devtools.seed import MODULES


class Command(BaseCommand):
    help = "Fill the database with a believable demo network (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force if you really mean it.")
        for module in MODULES:
            if hasattr(module, "seed_demo"):
                with transaction.atomic():
                    module.seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
