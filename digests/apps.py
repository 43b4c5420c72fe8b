from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Digests")

    def ready(self) -> None:
        from digests import consultations  # noqa: F401 — connects the strategy signal's receiver
