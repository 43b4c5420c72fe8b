"""Cached parts of the exchange pages (the list's filters and results, the detail page's
content), shared by everyone of one audience, invalidated on every change.

Built on ``core.cache``: fragments live under the ``exchanges`` namespace and
``exchanges_changed()`` bumps its version. Signals (``exchanges/signals.py``) call it on every
save or delete of an exchange, session, registration, host, theme, organisation or member
name; writes that send no signals (``QuerySet.update``, ``bulk_create``) call it explicitly.
The bump runs at once *and* again after the transaction commits, so a page rendered from
the not-yet-committed state in between is never served afterwards.

Never cached: anything about the viewer (their registration, waitlist position, actions, the
CSRF token, the address and joining link unless the audience is participants or
coordinators). Time-dependent content carries its own expiry (``valid_until``): the list
stops using a fragment the moment an exchange on it moves from upcoming to past.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from core.cache import FRAGMENT_TIMEOUT, query_key, safe_get, safe_set, version, version_bump

NAMESPACE = "exchanges"


def exchanges_changed(**kwargs) -> None:
    """Invalidate every cached exchange fragment now and after the current transaction
    commits (usable as a signal receiver)."""
    version_bump(NAMESPACE)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: version_bump(NAMESPACE))


def cached(name: str, *, parts: tuple = (), query=None, render: Callable[[], dict]) -> dict:
    """``render()``'s result (a dict with at least ``html``; optional ``valid_until``, an aware
    datetime after which it must be rendered again), cached under ``name``, ``parts``, the
    language, the active time zone (times are shown in the viewer's zone) and ``query``."""
    current = version(NAMESPACE)
    if current is None:
        return render()
    tzname = timezone.get_current_timezone_name()
    digest = hashlib.sha256(
        "\x1f".join([*map(str, parts), tzname, query_key(query)]).encode("utf-8", "replace")
    ).hexdigest()
    key = f"{NAMESPACE}:fragment:{name}:{current}:{get_language()}:{digest}"
    value = safe_get(key)
    now = timezone.now()
    if value is not None and (value.get("valid_until") is None or now < value["valid_until"]):
        return value
    value = render()
    timeout = FRAGMENT_TIMEOUT
    if value.get("valid_until") is not None:
        timeout = max(1, min(timeout, int((value["valid_until"] - now).total_seconds()) + 1))
    safe_set(key, value, timeout)
    return value
