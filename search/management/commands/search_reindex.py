from django.core.management.base import BaseCommand

from search import index as searchindex


class Command(BaseCommand):
    help = "Rebuild the cross-site search index (all kinds, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="Kinds to rebuild, e.g. guide exchange (default: all).")

    def handle(self, *args, kinds=None, **options):
        known = sorted(searchindex.sources())
        unknown = [kind for kind in kinds or [] if kind not in known]
        if unknown:
            self.stderr.write(f"Unknown kinds: {', '.join(unknown)}. Known: {', '.join(known)}")
            return
        count = searchindex.reindex(kinds or None)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} items ({', '.join(kinds or known)})."))
