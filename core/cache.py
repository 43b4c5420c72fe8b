"""Rendered fragments of the network's busiest pages, cached until the network changes.

The organisation directory, organisation pages and the member directory are read far more
often than organisations or profiles change. Their main content is cached per language,
audience and query string under a *version* that every change to an organisation, theme,
member, membership or account bumps (signals in ``network/signals.py``), so a change shows
on the next request. Writes that send no signals (``bulk_create``, ``QuerySet.update``) must
call ``network_changed()``; the timeout bounds any staleness they could still cause.

With ``REDIS_URL`` set the cache (and the version) is shared by every web process.

The cache is an optimisation and never a dependency: when Redis can't be reached, pages
render uncached and writes still succeed (a failed version bump is logged; fragments cached
before the outage expire within their timeout).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

FRAGMENT_TIMEOUT = 10 * 60


def safe_get(key: str):
    """``cache.get`` that answers None (a miss) when the cache can't be reached."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 — the cache is an optimisation, never a dependency.
        logger.warning("Cache unavailable (get %s).", key, exc_info=True)
        return None


def safe_set(key: str, value, timeout) -> None:
    """``cache.set`` that gives up quietly (logged) when the cache can't be reached."""
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("Cache unavailable (set %s).", key, exc_info=True)


def version_bump(namespace: str) -> None:
    """Invalidate every fragment cached under ``namespace`` (each app uses its own).
    Never raises: a write must not fail because Redis is down."""
    safe_set(f"{namespace}:version", time.time_ns(), None)


def network_changed(**kwargs) -> None:
    """Invalidate every cached network fragment (usable as a signal receiver)."""
    version_bump("network")


def version(namespace: str = "network") -> int | None:
    """The current version of ``namespace``; None when the cache can't be reached (callers
    then render without caching)."""
    key = f"{namespace}:version"
    try:
        current = cache.get(key)
        if current is None:
            current = time.time_ns()
            # add(): if another process just set one, theirs wins and we read it back.
            if not cache.add(key, current, None):
                current = cache.get(key, current)
    except Exception:  # noqa: BLE001
        logger.warning("Cache unavailable (version of %s).", namespace, exc_info=True)
        return None
    return current


def query_key(query) -> str:
    """A query string in a canonical, unambiguous form (sorted, URL-encoded)."""
    if query is None:
        return ""
    return urlencode(sorted((key, value) for key, values in query.lists() for value in values))


def cached_fragment(
    name: str,
    *,
    parts: tuple = (),
    query=None,
    render: Callable[[], str],
    namespace: str = "network",
    timeout: int = FRAGMENT_TIMEOUT,
) -> str:
    """``render()``'s HTML, cached under ``name``, ``parts``, the language and ``query``, until
    ``version_bump(namespace)`` (or ``timeout`` seconds)."""
    current = version(namespace)
    if current is None:
        return render()
    digest = hashlib.sha256("\x1f".join([*map(str, parts), query_key(query)]).encode("utf-8", "replace")).hexdigest()
    key = f"{namespace}:fragment:{name}:{current}:{get_language()}:{digest}"
    html = safe_get(key)
    if html is None:
        html = render()
        safe_set(key, html, timeout)
    return html
