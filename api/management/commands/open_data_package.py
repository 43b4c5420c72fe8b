"""``manage.py open_data_package``: write today's open-data package now (what the nightly job
does), and print its counts, time and peak memory."""

from __future__ import annotations

import resource
import time

from django.core.management.base import BaseCommand

from api.opendata import package_write


class Command(BaseCommand):
    help = "Write today's open-data package (CSV and JSON Lines per resource, datapackage.json, manifest)."

    def handle(self, *args, **options):
        started = time.monotonic()
        package = package_write()
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"{package.name}: {package.counts} in {seconds:.1f} s, peak RSS {peak:.0f} MiB")
