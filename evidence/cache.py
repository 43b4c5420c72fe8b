"""Cached fragments of the evidence pages, on the shared mechanism of ``core.cache``.

The dashboard's filters and figures and the library's filters and result list are rendered
once per *audience* (``core.policy.Viewer.audience``: public, members, funders, coordinators), language,
time zone, day and query string, under the ``evidence`` namespace's version:

- every write to evidence data (records, their lists and countries, consent, metric updates
  and splits, targets, indicators, the translated lists, themes, organisations) bumps the
  version, at once and again after commit, so a publication, a withdrawn consent or a change
  of visibility shows on the very next load;
- consent that expires passes without any write: the day (in the active time zone, the same
  ``timezone.localdate()`` that ``EvidenceRecord.objects.visible_to`` compares ``expires_on``
  with) is part of every key, so yesterday's fragments are never served today;
- what a fragment shows depends on the viewer class only: the library and the dashboard read
  ``visible_to(viewer).published()``, and a viewer's own unpublished work (the only per-person
  part of ``visible_to``) never passes ``published()``. Per-person parts of the pages (the
  "add evidence" buttons, messages) stay outside the fragments.

A cache outage only costs speed, never correctness: the fragment is rendered afresh.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.cache import cached_fragment, version_bump
from core.policy import AUDIENCES

logger = logging.getLogger(__name__)
NAMESPACE = "evidence"


def bump() -> None:
    """Invalidate every cached evidence fragment."""
    try:
        version_bump(NAMESPACE)
    except Exception:  # noqa: BLE001 — the cache is an optimisation; Redis down must not break writes.
        logger.warning("evidence cache version not bumped", exc_info=True)


def bump_after_commit() -> None:
    """Bump now (this process sees its own change at once) and again after commit (so that a
    concurrent request that cached the old state in between is superseded)."""
    bump()
    transaction.on_commit(bump)


def canonical_query(query) -> str:
    """The query string with its parameters sorted and every value escaped: two different
    queries never share a key (``a=1&b=2`` vs ``a=1%26b%3D2``)."""
    if query is None:
        return ""
    return urlencode(sorted((key, value) for key, values in query.lists() for value in values))


def key_parts(audience: str, day: datetime.date) -> tuple:
    """Audience, day and time zone: the day changes whenever any consent may have expired."""
    return (audience, day.isoformat(), timezone.get_current_timezone_name())


def fragment(name: str, *, audience: str, day: datetime.date, query, render: Callable[[], str]) -> SafeString:
    """``render()``'s HTML for ``audience`` and ``query``, cached until the next evidence change
    or the next day. ``audience`` must be a viewer class, never anything per person. ``day`` is
    ``timezone.localdate()`` taken *before* the records' queryset was built: around midnight a
    fragment may then hold the next day's (stricter) records under the old day, never the old
    day's records under the new one."""
    if audience not in AUDIENCES:
        raise ValueError(f"not an audience: {audience!r}")
    rendered: list[str] = []

    def _render() -> str:
        html = render()
        rendered.append(html)
        return html

    try:
        return mark_safe(  # noqa: S308 — HTML rendered by our own templates (autoescaped).
            cached_fragment(
                name,
                parts=(*key_parts(audience, day), canonical_query(query)),
                render=_render,
                namespace=NAMESPACE,
            )
        )
    except Exception:  # noqa: BLE001
        if rendered:
            logger.warning("evidence fragment not cached", exc_info=True)
            return mark_safe(rendered[0])  # noqa: S308
        logger.warning("evidence cache unavailable", exc_info=True)
        return mark_safe(render())  # noqa: S308


def _on_change(sender, **kwargs) -> None:
    bump_after_commit()


def connect_signals() -> None:
    from evidence import models
    from network.models import Organisation, Theme

    for model in (
        models.EvidenceRecord,
        models.Consent,
        models.RecordCountry,
        models.MetricUpdate,
        models.MetricSplit,
        models.Target,
        models.Indicator,
        models.ProcessDimension,
        models.OutcomeType,
        Theme,
        Organisation,
    ):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"evidence-cache-save-{model._meta.label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"evidence-cache-delete-{model._meta.label}")
    for field in ("organisations", "themes", "dimensions", "outcome_types"):
        through = getattr(models.EvidenceRecord, field).through
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"evidence-cache-m2m-{field}")
