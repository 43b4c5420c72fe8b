from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Strategy")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from network.roles import roles_sync
        from strategy import signals  # noqa: F401

        # As in practice: sync the role groups again once this app's permissions exist.
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="strategy_roles_sync")
