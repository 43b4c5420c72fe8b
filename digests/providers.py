"""What the digest draws on: the ``digest.py`` modules of exchanges, evidence, practice,
programmes and strategy.

The contract each app may fulfil in ``<app>/digest.py``:

``digest_items(*, since, until) -> list[dict]``
    Items that became visible in ``[since, until)``. Each item is a dict with
    ``section`` (``exchanges``, ``guides``, ``evidence``, ``joint_actions``, ``host_offers``
    or ``programmes``), ``key``
    (unique across apps), ``title``, ``url`` (a path), ``summary``, ``language``,
    ``themes`` (theme slugs), ``countries`` (country codes), ``audiences`` (who may read
    it, drawn from ``public``, ``members``, ``network``, ``funders``: network members read
    ``members`` and ``network`` items, funders ``funders`` items, everyone ``public``
    ones; see ``digests.services.reader_for``) and ``date``; optionally ``organisations``
    (ids of the organisations the item concerns: their members receive it whatever their
    interests, and only they receive the items of ``OWN_ORGANISATION_SECTIONS``).

``digest_member_items(*, user_ids, now) -> dict[int, list[dict]]`` (optional)
    Per member, their own items (section ``reminders``: their upcoming exchanges, and those
    of their programme's cohort), in a constant number of queries.

This module imports those modules directly (``PROVIDERS``; digests sits above the apps it
draws on), calls them and normalises what they return into plain JSON, so that a run can
store its candidates once.
"""

from __future__ import annotations

import datetime as dt
import logging
from types import ModuleType

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from core.policy import reach
from digests.models import Section
from evidence import digest as evidence_digest
from exchanges import digest as exchanges_digest
from outbox.services import absolute_url
from practice import digest as practice_digest
from programmes import digest as programmes_digest
from strategy import digest as strategy_digest

logger = logging.getLogger(__name__)

SECTIONS = frozenset(Section.values)
SUMMARY_MAX = 300


# Every app that contributes to the digest, in the order its items are collected.
PROVIDERS: list[ModuleType] = [
    exchanges_digest,
    evidence_digest,
    practice_digest,
    programmes_digest,
    strategy_digest,
]


def provider_modules() -> list[ModuleType]:
    return list(PROVIDERS)


def _date_iso(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value or "")


def _codes(values, *, upper: bool = False) -> list[str]:
    codes = {str(v).strip() for v in values or () if str(v).strip()}
    return sorted(c.upper() if upper else c.lower() for c in codes)


def _summary(text) -> str:
    summary = " ".join(str(text or "").split())
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    return summary


def item_normalise(raw: dict, *, url_cache: dict[tuple[str, str], str] | None = None) -> dict | None:
    """One provider item as plain JSON, with the absolute link in each site language.

    Returns None (and logs) for an item that breaks the contract, so one bad row in one
    app never stops everybody's digest.
    """
    section = raw.get("section")
    key = raw.get("key")
    if section not in SECTIONS or not key or not raw.get("title") or not raw.get("url"):
        logger.warning("Digest item ignored, it breaks the contract: %r", {k: raw.get(k) for k in ("section", "key")})
        return None
    path = str(raw["url"])
    urls = {}
    cache = url_cache if url_cache is not None else {}
    for code, _name in settings.LANGUAGES:
        if (path, code) not in cache:
            # Resolved while the default language is active: providers give unprefixed paths.
            cache[(path, code)] = absolute_url(translate_url(path, code))
        urls[code] = cache[(path, code)]
    # An item may carry its title and summary in other site languages (``titles``,
    # ``summaries``: language → text); a reader gets theirs, else the original.
    languages = {code for code, _name in settings.LANGUAGES}
    titles = {code: str(text) for code, text in (raw.get("titles") or {}).items() if code in languages and text}
    summaries = {
        code: _summary(text) for code, text in (raw.get("summaries") or {}).items() if code in languages and text
    }
    return {
        "section": section,
        "key": str(key),
        "title": str(raw["title"]),
        "titles": titles,
        "urls": urls,
        "summary": _summary(raw.get("summary")),
        "summaries": summaries,
        "language": str(raw.get("language") or "").lower(),
        "themes": _codes(raw.get("themes")),
        "countries": _codes(raw.get("countries"), upper=True),
        # The policy's vocabulary; ``reach`` adds coordinators to whatever anyone may read.
        "audiences": sorted(reach(raw.get("audiences") or ())),
        "organisations": sorted({str(pk) for pk in raw.get("organisations") or ()}),
        "date": _date_iso(raw.get("date")),
    }


def items_collect(*, boundaries: list[dt.datetime], until: dt.datetime) -> list[dict]:
    """Every provider's items for the consecutive windows ``[b[i], b[i+1])`` … ``[b[-1], until)``.

    Each item gets ``slot`` *i*: a member whose window starts at ``boundaries[i]`` gets
    the items of slots *i* and later. An item reported in several windows keeps its
    latest slot, so each member sees it once.
    """
    modules = provider_modules()
    by_key: dict[str, dict] = {}
    url_cache: dict[tuple[str, str], str] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for slot, since in enumerate(boundaries):
            slot_until = boundaries[slot + 1] if slot + 1 < len(boundaries) else until
            if slot_until <= since:
                continue
            for module in modules:
                for raw in module.digest_items(since=since, until=slot_until):
                    item = item_normalise(raw, url_cache=url_cache)
                    if item is not None:
                        item["slot"] = slot
                        by_key[item["key"]] = item
    return sorted(by_key.values(), key=lambda i: (i["slot"], i["date"], i["key"]))


def member_items_collect(*, user_ids: list[int], now: dt.datetime) -> dict[int, list[dict]]:
    """Each member's own items (reminders) from every provider that offers them."""
    result: dict[int, list[dict]] = {}
    if not user_ids:
        return result
    url_cache: dict[tuple[str, str], str] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for module in provider_modules():
            member_items = getattr(module, "digest_member_items", None)
            if member_items is None:
                continue
            for user_id, raws in member_items(user_ids=user_ids, now=now).items():
                for raw in raws:
                    item = item_normalise(raw, url_cache=url_cache)
                    if item is not None:
                        result.setdefault(user_id, []).append(item)
    for items in result.values():
        items.sort(key=lambda i: (i["date"], i["key"]))
    return result
