"""Rendered fragments of the network's busiest pages, cached until the network changes.

The organisation directory, organisation pages and the member directory are read far more
often than organisations or profiles change. Their main content is cached per language,
audience and query string under a *version* that every change to an organisation, theme,
member, membership or account bumps (signals in ``network/signals.py``), so a change shows
on the next request. Writes that send no signals (``bulk_create``, ``QuerySet.update``) must
call ``network_changed()``; the timeout bounds any staleness they could still cause.

With ``REDIS_URL`` set the cache (and the version) is shared by every web process.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.core.cache import cache
from django.utils.translation import get_language

FRAGMENT_TIMEOUT = 10 * 60


def version_bump(namespace: str) -> None:
    """Invalidate every fragment cached under ``namespace`` (each app uses its own)."""
    cache.set(f"{namespace}:version", time.time_ns(), None)


def network_changed(**kwargs) -> None:
    """Invalidate every cached network fragment (usable as a signal receiver)."""
    version_bump("network")


def _version(namespace: str = "network") -> int:
    key = f"{namespace}:version"
    version = cache.get(key)
    if version is None:
        version = time.time_ns()
        # add(): if another process just set one, theirs wins and we read it back.
        if not cache.add(key, version, None):
            version = cache.get(key, version)
    return version


def audience(user) -> str:
    """Who a fragment is for: visitors see public profiles only, signed-in members more."""
    return "members" if user.is_authenticated else "public"


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
    query_text = ""
    if query is not None:
        query_text = "&".join(f"{key}={value}" for key, values in sorted(query.lists()) for value in values)
    digest = hashlib.sha256("\x1f".join([*map(str, parts), query_text]).encode("utf-8", "replace")).hexdigest()
    key = f"{namespace}:fragment:{name}:{_version(namespace)}:{get_language()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout)
    return html
