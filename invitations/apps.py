from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    """Coordinators invite people to join the network, into an organisation if they like.

    Sits above network (it creates members and memberships) and outbox (its emails); the
    sign-up hook is ``invitations.adapters.AccountAdapter`` (``ACCOUNT_ADAPTER``).
    """

    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from invitations import signals  # noqa: F401
