"""The one fragment cache: rendered parts of pages, shared by everyone of one audience and
invalidated by every change to the data they show.

Every app caches through ``fragment()``; nothing else caches rendered content. A fragment's key
is made of

* the **namespaces** it depends on and each one's current **version** (read in one
  ``get_many``). A namespace is an app's data (``network``, ``exchanges``, ``evidence``,
  ``practice``, ``search``); a guide page's body shows evidence records and exchanges too, so it
  depends on ``practice``, ``evidence``, ``exchanges`` and ``network``;
* its **name**, and the **audience** it is rendered for: one of ``core.policy.AUDIENCES``, never
  anything about the person (the caller renders it for ``core.policy.representative(audience)``
  and draws whatever belongs to the person around it, in the page template);
* the active **language** and **time zone**, the **query string** in a canonical form, any extra
  ``parts`` (an object's primary key, search terms);
* an optional **valid_until** known before rendering (``end_of_today()`` for content that
  consent expiry can change at midnight).

The render may also return ``Expiring(value, valid_until)`` for content that changes with time
alone (an exchange moving from upcoming to past): the cached value is not used from that moment
on. Fragments otherwise live ``FRAGMENT_TIMEOUT`` seconds at most.

Versions are bumped by ``changed(namespace)``, at once (this process sees its own write) and
again after the transaction commits (a request that read the old rows while the writer's
transaction was open may have cached them under the bumped version; the second bump retires
that). Each app lists what bumps its namespace with ``watch()`` (model signals and
``core.signals.content_changed``, which services send after writes Django does not signal).

The cache is an optimisation and never a dependency: when Redis can't be reached, pages render
uncached and writes still succeed (a failed bump is logged; fragments cached before the outage
expire within their timeout).

With ``REDIS_URL`` set the cache (and the versions) are shared by every web process.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from core.policy import AUDIENCES
from core.signals import content_changed

logger = logging.getLogger(__name__)

FRAGMENT_TIMEOUT = 10 * 60
CONTENT_TIMEOUT = 24 * 60 * 60
T = TypeVar("T")

# Namespaces something bumps (declared with ``watch``): a fragment may depend on these only,
# so a misspelt namespace fails loudly instead of never being invalidated.
_namespaces: set[str] = set()


# --- Safe access ------------------------------------------------------------------------------


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


# --- Versions ---------------------------------------------------------------------------------


def _version_key(namespace: str) -> str:
    return f"{namespace}:version"


def versions(namespaces: Sequence[str]) -> tuple[int, ...] | None:
    """The current version of each namespace (one ``get_many``); None when the cache can't be
    reached (callers then render without caching). A namespace without a version yet gets one
    from the clock, so a version lost from the cache never comes back with an old value."""
    keys = [_version_key(namespace) for namespace in namespaces]
    try:
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                current = time.time_ns()
                # add(): if another process just set one, theirs wins and we read it back.
                found[key] = current if cache.add(key, current, None) else cache.get(key, current)
    except Exception:  # noqa: BLE001
        logger.warning("Cache unavailable (versions of %s).", ", ".join(namespaces), exc_info=True)
        return None
    return tuple(found[key] for key in keys)


def _bump(namespace: str) -> None:
    safe_set(_version_key(namespace), time.time_ns(), None)


def changed(namespace: str) -> None:
    """Invalidate every fragment that depends on ``namespace``: now, and again after the current
    transaction commits. Never raises: a write must not fail because Redis is down."""
    _bump(namespace)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(namespace))


def receiver(namespace: str, *, quiet_fields: Collection[str] = ()) -> Callable[..., None]:
    """A signal receiver that calls ``changed(namespace)``. A ``post_save`` whose
    ``update_fields`` are all in ``quiet_fields`` (a login stamp, a reminder claim) changes
    nothing shown and bumps nothing; ``m2m_changed`` bumps after the change only."""
    quiet = frozenset(quiet_fields)

    def on_change(sender=None, update_fields=None, action=None, **kwargs) -> None:
        if action is not None and not action.startswith("post_"):
            return
        if quiet and update_fields is not None and set(update_fields) <= quiet:
            return
        changed(namespace)

    return on_change


_receivers: list[Callable] = []  # strong references: the signals hold weak ones by default.


def watch(namespace: str, *senders, quiet_fields: Mapping[type, Collection[str]] | None = None) -> None:
    """Declare ``namespace`` and what bumps it: saving or deleting a row of any of ``senders``
    (models, or the through models of many-to-many fields), changing a many-to-many relation
    through one, and ``content_changed`` sent for one. Call once per app, from ``ready()`` or a
    signals module it imports. ``quiet_fields`` maps a model to the fields whose saves alone
    change nothing shown."""
    _namespaces.add(namespace)
    quiet_fields = quiet_fields or {}
    for sender in senders:
        label = sender._meta.label
        on_change = receiver(namespace, quiet_fields=quiet_fields.get(sender, ()))
        _receivers.append(on_change)
        for signal, name in (
            (post_save, "save"),
            (post_delete, "delete"),
            (m2m_changed, "m2m"),
            (content_changed, "content"),
        ):
            signal.connect(on_change, sender=sender, dispatch_uid=f"cache:{namespace}:{name}:{label}")


# --- Fragments --------------------------------------------------------------------------------


class Expiring(NamedTuple):
    """What a render returns when its content changes with time alone: ``value`` is served
    until ``valid_until`` (an aware datetime; None: until the next change)."""

    value: Any
    valid_until: datetime.datetime | None


def end_of_today() -> datetime.datetime:
    """The next midnight in the active time zone: when ``timezone.localdate()`` changes, and
    with it what consent that expires today allows."""
    tz = timezone.get_current_timezone()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=tz)


def query_key(query) -> str:
    """A query string in a canonical, unambiguous form (sorted, URL-encoded): two different
    queries never share a key (``a=1&b=2`` vs ``a=1%26b%3D2``)."""
    if query is None:
        return ""
    if hasattr(query, "lists"):
        pairs = [(key, value) for key, values in query.lists() for value in values]
    else:
        pairs = list(query.items())
    return urlencode(sorted((str(key), str(value)) for key, value in pairs))


def fragment_key(
    name: str,
    *,
    depends_on: Sequence[str],
    current: Sequence[int],
    audience: str,
    query=None,
    parts: Sequence = (),
    valid_until: datetime.datetime | None = None,
) -> str:
    """The cache key of a fragment (see the module's docstring for what goes into it)."""
    material = [
        *(f"{namespace}={version}" for namespace, version in zip(depends_on, current, strict=True)),
        str(audience),
        get_language() or "",
        timezone.get_current_timezone_name(),
        query_key(query),
        valid_until.isoformat() if valid_until is not None else "",
        *map(str, parts),
    ]
    digest = hashlib.sha256("\x1f".join(material).encode("utf-8", "replace")).hexdigest()
    return f"fragment:{name}:{digest}"


def fragment(
    name: str,
    *,
    depends_on: str | Sequence[str],
    audience: str,
    render: Callable[[], T | Expiring],
    query=None,
    parts: Sequence = (),
    valid_until: datetime.datetime | None = None,
    timeout: int = FRAGMENT_TIMEOUT,
) -> T:
    """``render()``'s value (HTML, or any picklable value), cached for everyone of ``audience``
    until a namespace in ``depends_on`` changes, ``valid_until`` passes (given here, or returned
    by the render as ``Expiring``) or ``timeout`` seconds have gone by.

    ``audience`` must be one of ``core.policy.AUDIENCES`` (a ``ValueError`` otherwise): the
    render must show what ``representative(audience)`` may see and nothing about the person
    asking. With the cache unreachable the value is rendered afresh."""
    if audience not in AUDIENCES:
        raise ValueError(f"not an audience: {audience!r}")
    namespaces = (depends_on,) if isinstance(depends_on, str) else tuple(depends_on)
    unknown = [namespace for namespace in namespaces if namespace not in _namespaces]
    if not namespaces or unknown:
        raise ValueError(f"a fragment must depend on declared namespaces (unknown: {unknown})")
    current = versions(namespaces)
    if current is None:
        return _value(render())
    key = fragment_key(
        name,
        depends_on=namespaces,
        current=current,
        audience=audience,
        query=query,
        parts=parts,
        valid_until=valid_until,
    )
    now = timezone.now()
    stored = safe_get(key)
    if stored is not None:
        value, until = stored
        if until is None or now < until:
            return value
    rendered = render()
    value, until = _value(rendered), valid_until
    if isinstance(rendered, Expiring) and rendered.valid_until is not None:
        until = rendered.valid_until if until is None else min(until, rendered.valid_until)
    seconds = timeout
    if until is not None:
        seconds = min(timeout, math.ceil((until - now).total_seconds()))
        if seconds <= 0:
            # Already outdated (rendered across its own expiry, e.g. at midnight): serve, don't keep.
            return value
    safe_set(key, (value, until), seconds)
    return value


def _value(rendered):
    return rendered.value if isinstance(rendered, Expiring) else rendered


def content_cached(kind: str, text: str, *, render: Callable[[], T], timeout: int = CONTENT_TIMEOUT) -> T:
    """``render()``'s value for ``text``, cached by a digest of ``kind`` and the text itself
    (e.g. the HTML of a guide section's Markdown). Content-addressed: the same text always
    renders the same, so no version is needed and a changed text simply has another key."""
    digest = hashlib.sha256(f"{kind}\x1f{text}".encode("utf-8", "replace")).hexdigest()
    key = f"content:{digest}"
    value = safe_get(key)
    if value is None:
        value = render()
        safe_set(key, value, timeout)
    return value
