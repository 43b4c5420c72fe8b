"""Items for the network's email digests (digests app discovers this module)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q

from core.policy import AUDIENCES, representative
from exchanges.models import PARTICIPANT_STATES, Exchange, Registration

UPCOMING_DAYS = 30


def _audiences(exchange: Exchange) -> set[str]:
    """Those the exchange is news for: the audiences whose members may join it (the policy's
    ``Exchange.joinable_by``)."""
    return {audience for audience in AUDIENCES if exchange.joinable_by(representative(audience))}


def _item(exchange: Exchange, *, section: str, date) -> dict:
    return {
        "section": section,
        "key": f"exchange:{exchange.pk}",
        "title": exchange.title,
        # The translations (prefetched): each reader gets the title and summary of theirs.
        "titles": {t.language: t.title for t in exchange.translations.all()},
        "summaries": {t.language: t.summary for t in exchange.translations.all() if t.summary},
        "url": exchange.get_absolute_url(),
        "summary": exchange.summary,
        "language": (exchange.working_languages or ["en"])[0],
        "themes": [t.slug for t in exchange.themes.all()],
        "countries": [exchange.country.code] if exchange.country else [],
        "audiences": _audiences(exchange),
        "date": date,
    }


def digest_items(*, since, until) -> list[dict]:
    """Exchanges published, or opened for sign-up, in [since, until), still upcoming. Three queries."""
    exchanges = (
        Exchange.objects.published()
        .filter(ends_at__gte=since)
        .filter(
            Q(published_at__gte=since, published_at__lt=until)
            | Q(registration_opens_at__gte=since, registration_opens_at__lt=until)
        )
        .prefetch_related("themes", "translations")
        .order_by("starts_at", "pk")
    )
    items = []
    for exchange in exchanges:
        opened = exchange.registration_opens_at
        date = opened if opened and since <= opened < until else exchange.published_at
        items.append(_item(exchange, section="exchanges", date=date))
    return items


def digest_member_items(*, user_ids, now) -> dict[int, list[dict]]:
    """Each member's own confirmed exchanges starting in the next 30 days. Three queries."""
    registrations = (
        Registration.objects.filter(
            user_id__in=list(user_ids),
            state__in=PARTICIPANT_STATES,
            exchange__status=Exchange.Status.PUBLISHED,
            exchange__starts_at__gte=now,
            exchange__starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )
        .select_related("exchange")
        .prefetch_related("exchange__themes", "exchange__translations")
        .order_by("exchange__starts_at")
    )
    result: dict[int, list[dict]] = defaultdict(list)
    for registration in registrations:
        result[registration.user_id].append(
            _item(registration.exchange, section="reminders", date=registration.exchange.starts_at)
        )
    return {uid: result.get(uid, []) for uid in user_ids}
