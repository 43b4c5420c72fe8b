from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: the access policy, the cache, database and text helpers, validators,
    spreadsheet writing and the personal-data registry. It imports no app above it."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import personal_data

        # Once, over every installed app: each ``<app>/personal_data.py`` registers its hook.
        personal_data.discover()
