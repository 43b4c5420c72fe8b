from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from network.roles import roles_sync
        from practice import signals  # noqa: F401

        # network syncs the role groups after *its own* post_migrate, which on a fresh database
        # runs before this app's permissions exist; syncing again after ours gives coordinators
        # the practice permissions (and those of every app before us) on the first migrate.
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="practice_roles_sync")
