from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from network import signals  # noqa: F401
        from network.roles import roles_sync

        post_migrate.connect(roles_sync, sender=self, dispatch_uid="network_roles_sync")
