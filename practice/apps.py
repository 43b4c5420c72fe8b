from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice")

    def ready(self) -> None:
        # The cross-site search index follows every registered source's saves and deletes.
        from practice import searchindex

        searchindex.connect_signals()
