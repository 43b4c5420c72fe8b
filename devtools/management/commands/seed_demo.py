"""Build the demo network. Idempotent: running it twice changes nothing the second time.

Each app's demo data is ``devtools/seed/<app>.py::seed_demo(*, stdout)``, called in the
order of ``devtools.seed.MODULES`` so that later apps can use earlier apps' rows.
"""

import contextlib
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from devtools.seed import MODULES
from outbox import services as outbox_services

# Emails the seed itself causes (the demo invitations) are delivered to this backend, which
# drops them: with the demo's console backend they would fill the terminal with MIME parts
# and invitation links before the site even starts.
QUIET_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
QUIET_LOGGERS = ("celery.app.trace", "kombu.connection")


@contextlib.contextmanager
def _emails_not_printed():
    """Seeded emails go through the outbox as always and end up "sent", but nothing is printed.

    The outbox keeps one mail connection per thread: it is dropped on the way in and out, so
    that neither the seed nor whatever runs after it in the same process (a test) uses the
    other's backend. The demo runs tasks in-process: Celery's "Task … succeeded" lines and
    Kombu's warning about the in-memory broker are held back too. Emails caused later on the
    running site print as usual.
    """
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL_BACKEND):
            outbox_services.connection_drop()
            try:
                yield
            finally:
                outbox_services.connection_drop()
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "Fill the database with a believable demo network (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force if you really mean it.")
        with _emails_not_printed():
            for module in MODULES:
                if hasattr(module, "seed_demo"):
                    with transaction.atomic():
                        module.seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
