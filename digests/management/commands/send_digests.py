"""Run the digest job by hand: ``manage.py send_digests [--frequency weekly|monthly] [--dry-run]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from digests.models import SENDING_FREQUENCIES
from digests.services import digest_run


class Command(BaseCommand):
    help = (
        "Send the weekly and/or monthly digests of the latest complete period, here and now "
        "(batches run in this process; the emails go to the outbox). Safe to run again: members "
        "who already have this period's digest get nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frequency", choices=[str(f) for f in SENDING_FREQUENCIES], help="Default: both.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would happen; write and send nothing.")
        parser.add_argument("--batch-size", type=int, default=None, help="Members per batch (default 500).")

    def handle(self, *args, frequency=None, dry_run=False, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        for each in [frequency] if frequency else SENDING_FREQUENCIES:
            result = digest_run(frequency=each, dry_run=dry_run, size=batch_size)
            until = f"{result.period_until:%Y-%m-%d %H:%M} UTC"
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}{each} digests for {result.period} (news up to {until}):")
            self.stdout.write(f"  members considered:             {result.considered}")
            self.stdout.write(f"  due now:                        {result.due}")
            self.stdout.write(f"  candidate items:                {result.items}")
            verb = "would be queued" if dry_run else "queued"
            self.stdout.write(f"  digests {verb}:{' ' * (23 - len(verb))}{result.queued}")
            self.stdout.write(f"  skipped, nothing new:           {result.empty}")
            self.stdout.write(f"  already delivered:              {result.already}")
            if result.deferred:
                self.stdout.write(f"  deferred to the next run:       {result.deferred}")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written or sent."))
        else:
            self.stdout.write(self.style.SUCCESS("Done."))
