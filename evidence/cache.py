"""A version number for everything the dashboard shows, bumped after every committed change.

The dashboard's aggregated figures are cached per (version, viewer class, language, day,
filters). Any write to evidence data bumps the version after commit, so a withdrawn consent
or a new publication shows on the next load; the day in the key makes consent that expires
at midnight disappear without a write. A cache outage only costs speed, never correctness.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
VERSION_KEY = "evidence:data-version"
TIMEOUT = 600


def data_version() -> int:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY) or 1
        return int(version)
    except Exception:  # noqa: BLE001 — the cache is an optimisation; Redis down must not break pages.
        logger.warning("evidence cache unavailable", exc_info=True)
        return 0


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("evidence cache version not bumped", exc_info=True)


def bump_after_commit() -> None:
    """Bump now (this process sees its own change at once) and again after commit (so that a
    concurrent request that cached the old figures in between is superseded)."""
    _bump()
    transaction.on_commit(_bump)


def dashboard_key(*, who: str, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:24]
    return f"evidence:dashboard:{data_version()}:{who}:{get_language()}:{timezone.localdate().isoformat()}:{digest}"


def cached(key: str, compute):
    if key.split(":")[2] == "0":
        return compute()
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("evidence dashboard not cached", exc_info=True)
    return value


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
