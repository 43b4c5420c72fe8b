"""What strategy contributes to the digests (``digests.providers``), in a half-open window
[since, until): newly published versions and consultation rounds that opened (section
``strategy``, for the members who asked to hear about the strategy), and progress updates on
convening commitments (section ``commitments``, naming the holding organisations: only their
members receive them). Who may read each item is asked of the kinds' own ``visible_to``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext

from core.policy import audiences_of
from strategy.models import Commitment, CommitmentUpdate, Round, Version

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _titles(version: Version) -> tuple[str, dict[str, str]]:
    """The version's title in its original language, and its title in each language it has."""
    texts = {t.language: t for t in version.texts.all()}
    original = texts.get(version.original_language)
    title = original.title if original else version.document.slug
    return title, {code: t.title for code, t in texts.items()}


def _per_language(fn) -> dict[str, str]:
    result = {}
    for code in LANGUAGES:
        with translation.override(code):
            result[code] = fn()
    return result


def _strategy_items(since: dt.datetime, until: dt.datetime) -> list[dict]:
    items: list[dict] = []
    versions = list(
        Version.objects.published()
        .filter(published_at__gte=since, published_at__lt=until)
        .select_related("document")
        .prefetch_related("texts")
        .order_by("published_at", "pk")
    )
    rounds = list(
        Round.objects.filter(opens_at__gte=since, opens_at__lt=until)
        .select_related("version__document")
        .prefetch_related("version__texts")
        .order_by("opens_at", "pk")
    )
    audiences = audiences_of(Version.objects.visible_to, {v.pk for v in versions} | {r.version_id for r in rounds})
    for version in versions:
        title, titles = _titles(version)

        def published(version=version) -> str:
            text = gettext("Version %(number)s is published.") % {"number": version.number}
            return f"{text} {version.note}" if version.note else text

        summaries = _per_language(published)
        items.append(
            {
                "section": "strategy",
                "key": f"strategy-version:{version.pk}",
                "title": title,
                "titles": titles,
                "url": version.document.get_absolute_url(),
                "summary": summaries[settings.LANGUAGE_CODE],
                "summaries": summaries,
                # Translated: every reader gets it in their language, whatever languages they read.
                "language": "",
                "audiences": audiences[version.pk],
                "date": version.published_at,
            }
        )
    for consultation in rounds:
        version = consultation.version
        title, titles = _titles(version)

        def opened(consultation=consultation) -> str:
            closes = formats.date_format(consultation.closes_at, "DATE_FORMAT")
            return gettext("A consultation on the draft is open until %(date)s.") % {"date": closes}

        summaries = _per_language(opened)
        items.append(
            {
                "section": "strategy",
                "key": f"strategy-round:{consultation.pk}",
                "title": title,
                "titles": titles,
                "url": version.document.get_absolute_url(),
                "summary": summaries[settings.LANGUAGE_CODE],
                "summaries": summaries,
                "language": "",
                "audiences": audiences[version.pk],
                "date": consultation.opens_at,
            }
        )
    return items


def _commitment_items(since: dt.datetime, until: dt.datetime) -> list[dict]:
    updates = list(
        CommitmentUpdate.objects.filter(created_at__gte=since, created_at__lt=until)
        .select_related("commitment__theme")
        .prefetch_related("commitment__organisations")
        .order_by("created_at", "pk")
    )
    audiences = audiences_of(Commitment.objects.visible_to, {u.commitment_id for u in updates})
    items = []
    for update in updates:
        commitment = update.commitment
        statuses = _per_language(lambda update=update: str(update.get_status_display()))
        items.append(
            {
                "section": "commitments",
                "key": f"commitment-update:{update.pk}",
                "title": commitment.title,
                "url": commitment.get_absolute_url(),
                "summary": f"{statuses[settings.LANGUAGE_CODE]}: {update.note}",
                "summaries": {code: f"{status}: {update.note}" for code, status in statuses.items()},
                "language": "",
                "themes": [commitment.theme.slug] if commitment.theme else [],
                "countries": sorted({o.country.code for o in commitment.organisations.all() if o.country}),
                "audiences": audiences[commitment.pk],
                # Only the members of the holding organisations receive it.
                "organisations": [o.pk for o in commitment.organisations.all()],
                "date": update.created_at,
            }
        )
    return items


def digest_items(*, since: dt.datetime, until: dt.datetime) -> list[dict]:
    with translation.override(settings.LANGUAGE_CODE):
        return _strategy_items(since, until) + _commitment_items(since, until)
