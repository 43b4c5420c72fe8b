from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The cross-site search at ``/search/``: one index of guides, joint actions, exchanges and
    evidence records. It sits at the top of the layering and imports the apps it indexes
    (``search/sources.py``); none of them imports it."""

    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from search import index

        # The index follows every source's saves, deletes and related changes.
        index.connect_signals()
