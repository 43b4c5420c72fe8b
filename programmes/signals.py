"""What bumps the ``programmes`` namespace of the fragment cache (``core.cache``): programmes and
which exchanges each one gathers. The exchanges themselves, their sessions and registrations
are the ``exchanges`` namespace's, on which a programme's fragments depend as well."""

from core import cache
from programmes.models import Programme

NAMESPACE = "programmes"


def connect() -> None:
    cache.watch(NAMESPACE, Programme, Programme.exchanges.through)
