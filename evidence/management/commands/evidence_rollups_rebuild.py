"""``manage.py evidence_rollups_rebuild``: recompute the dashboard's rollups from the records.

Every write keeps them current (``evidence.rollups.refresh``); this is for bulk loads that send
no model signals (``seed_bench``) and for repairing drift after rows changed with
``QuerySet.update()`` outside the services.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from evidence import rollups


class Command(BaseCommand):
    help = "Recompute the evidence dashboard's rollups from the records."

    def handle(self, *args, **options):
        if not rollups.enabled():
            self.stdout.write("The rollups are kept on PostgreSQL only; nothing to do.")
            return
        start = time.perf_counter()
        counted = rollups.rebuild()
        self.stdout.write(f"Rollups rebuilt from {counted} records in {time.perf_counter() - start:.1f} s.")
