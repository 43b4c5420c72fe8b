"""What bumps the ``exchanges`` namespace of the fragment cache (``core.cache``): exchanges,
their sessions and registrations (place counts, who is going), hosts, partners, themes and
facilitators, translations, offers to host. Names of organisations, themes, members and accounts are the ``network``
namespace's, on which the exchange fragments depend as well."""

from core import cache
from exchanges.models import Exchange, ExchangeTranslation, HostOffer, Registration, Session

NAMESPACE = "exchanges"


def connect() -> None:
    cache.watch(
        NAMESPACE,
        Exchange,
        ExchangeTranslation,
        Session,
        Registration,
        Exchange.hosts.through,
        Exchange.partners.through,
        Exchange.themes.through,
        Session.facilitators.through,
        # Approved offers to host are public (the search, matchmaking's reasons and scores).
        HostOffer,
        HostOffer.themes.through,
        # Reminder and invitation claims stamp a time, and erasing answers changes nothing
        # shown: no count or name changes.
        quiet_fields={
            Registration: (
                "reminded_7d_at",
                "reminded_1d_at",
                "reflection_invited_at",
                "sensitive_erased_at",
                "access_needs",
                "dietary_needs",
                "interpretation_needs",
                "updated_at",
            )
        },
    )
