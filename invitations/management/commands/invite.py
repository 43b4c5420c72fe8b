"""Invite people from the command line.

    python manage.py invite anna@example.org bo@example.org --organisation stadsdelsforum --role organiser --language sv
    python manage.py invite --csv people.csv [--dry-run]

Prints one line per address: invited, skipped (already a member or already invited) or
an error. A CSV is checked first; its good rows are imported in one transaction.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from invitations import services
from network.models import Membership, Organisation, User


class Command(BaseCommand):
    help = "Invite people to join the network by email address or from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="*", metavar="EMAIL")
        parser.add_argument("--csv", dest="csv_path", metavar="FILE", help="A CSV file (name,email,...).")
        parser.add_argument("--organisation", metavar="SLUG", help="The organisation they join when they accept.")
        parser.add_argument("--role", default=Membership.Role.MEMBER, choices=Membership.Role.values)
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[c for c, _ in settings.LANGUAGES])
        parser.add_argument("--name", default="", help="The invitee's name (only with one address).")
        parser.add_argument("--message", default="", help="A personal message in the email.")
        parser.add_argument("--invited-by", metavar="EMAIL", help="The coordinator the invitation comes from.")
        parser.add_argument("--dry-run", action="store_true", help="Check, print, and save nothing.")

    def handle(self, *args, emails, csv_path, organisation, role, language, name, message, invited_by, dry_run, **o):
        if bool(emails) == bool(csv_path):
            raise CommandError("Give either one or more email addresses or --csv FILE.")
        inviter = None
        if invited_by:
            inviter = User.objects.filter(email__iexact=invited_by).first()
            if inviter is None:
                raise CommandError(f"No user with the address {invited_by}.")
        if csv_path:
            return self._from_csv(Path(csv_path), language, message, inviter, dry_run)
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"No organisation with the slug {organisation!r}.")
        if name and len(emails) > 1:
            raise CommandError("--name works with one address only.")
        errors = 0
        with transaction.atomic():
            for email in emails:
                try:
                    result = services.invitation_create(
                        email=email,
                        name=name,
                        organisation=org,
                        role=role,
                        language=language,
                        message=message,
                        invited_by=inviter,
                    )
                except ValidationError as exc:
                    errors += 1
                    self.stdout.write(self.style.ERROR(f"error    {email}: {' '.join(exc.messages)}"))
                    continue
                self._print(result)
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write("Dry run: nothing was saved.")
        if errors:
            raise CommandError(f"{errors} address(es) could not be invited.")

    def _print(self, result):
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"invited  {result.email}"))
        else:
            self.stdout.write(self.style.WARNING(f"skipped  {result.email}: {result.message}"))

    def _from_csv(self, path: Path, language, message, inviter, dry_run):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > settings.MAX_UPLOAD_SIZE:
            raise CommandError(f"The file is larger than {settings.MAX_UPLOAD_SIZE} bytes.")
        preview = services.invitation_csv_parse(path.read_bytes(), default_language=language)
        if preview.file_errors:
            for error in preview.file_errors:
                self.stdout.write(self.style.ERROR(f"error    {error}"))
            raise CommandError("The file cannot be imported.")
        for row in preview.error_rows:
            self.stdout.write(self.style.ERROR(f"error    row {row.line} {row.email}: {' '.join(row.errors)}"))
        for row in preview.skipped_rows:
            self.stdout.write(self.style.WARNING(f"skipped  row {row.line} {row.email}: {row.skip_reason}"))
        if dry_run:
            for row in preview.good_rows:
                self.stdout.write(f"would invite row {row.line} {row.email}")
            self.stdout.write("Dry run: nothing was saved.")
            return
        results = services.invitation_import(
            rows=[row.as_payload() for row in preview.good_rows],
            invited_by=inviter,
            message=message,
            default_language=language,
        )
        for result in results:
            self._print(result)
        created = sum(1 for r in results if r.created)
        self.stdout.write(f"{created} invited, {len(preview.skipped_rows)} skipped, {len(preview.error_rows)} errors.")
