from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from search import index as searchindex
from search import textsearch


class Command(BaseCommand):
    help = (
        "Convert the Hunspell dictionaries (Debian's hunspell-en-us, hunspell-sv, hunspell-nl) into "
        "PostgreSQL's tsearch_data, then (re)create the search's text-search configurations in this "
        "database and rebuild the index's vectors. Needs write access to tsearch_data (run as root "
        "at set-up, like installing the packages); --skip-files only updates the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-files", action="store_true", help="Do not write tsearch_data; database only.")
        parser.add_argument(
            "--skip-database",
            action="store_true",
            help="Only write the files (CI: databases created later get the configurations from migrate).",
        )
        parser.add_argument("--target", help="Directory to write the files to (default: the server's tsearch_data).")

    def handle(self, *args, skip_files=False, skip_database=False, target=None, **options):
        if not skip_files:
            from pathlib import Path

            try:
                installed = textsearch.install_files(Path(target) if target else None)
            except (OSError, FileNotFoundError) as error:
                raise CommandError(f"Could not write the dictionary files: {error}") from error
            missing = sorted({lang.code for lang in textsearch.LANGUAGES} - set(installed))
            self.stdout.write(f"Dictionaries converted: {', '.join(installed) or 'none'}.")
            if missing:
                self.stdout.write(
                    self.style.WARNING(
                        f"No Hunspell files for {', '.join(missing)} in {textsearch.HUNSPELL_DIR} "
                        "(apt-get install hunspell-en-us hunspell-sv hunspell-nl)."
                    )
                )
        if skip_database:
            return
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: nothing to configure (the SQLite demo searches without stemming).")
            return
        uses = textsearch.install(connection)
        searchindex.update_vectors(searchindex.SearchEntry.objects.all())
        summary = ", ".join(f"{code}: {'Hunspell + Snowball' if on else 'Snowball'}" for code, on in uses.items())
        self.stdout.write(self.style.SUCCESS(f"Text-search configurations ready ({summary}); vectors rebuilt."))
