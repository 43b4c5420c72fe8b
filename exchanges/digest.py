"""Items for the network's email digests (digests app discovers this module)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q

from core.policy import AUDIENCES, audiences_of, representative
from exchanges.models import PARTICIPANT_STATES, Exchange, HostOffer, Registration

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


def reminder_item(exchange: Exchange) -> dict:
    """An upcoming exchange as a member's reminder (also for the programmes app's cohorts);
    ``exchange`` has its themes and translations prefetched."""
    return _item(exchange, section="reminders", date=exchange.starts_at)


def host_offer_items(*, since, until) -> list[dict]:
    """Offers to host that coordinators approved in [since, until), section ``host_offers``:
    the public offer of an organisation, as the search shows it (``exchanges.search``); the
    audiences are asked of ``HostOffer.objects.visible_to``. Two queries and one per audience.

    Each reader gets the offers on the themes and in the languages of their digest
    preferences (by default their profile's; everything when their profile names none), by the
    digest's one filter. An offer in several languages carries none, so it reaches everyone
    who reads one of them and, alas, those who read none: the filter compares one language."""
    offers = list(
        HostOffer.objects.approved()
        .filter(reviewed_at__gte=since, reviewed_at__lt=until)
        .select_related("organisation")
        .prefetch_related("themes")
        .order_by("reviewed_at", "pk")
    )
    reached = audiences_of(HostOffer.objects.visible_to, [offer.pk for offer in offers])
    items = []
    for offer in offers:
        organisation = offer.organisation
        languages = offer.working_languages or []
        items.append(
            {
                "section": "host_offers",
                "key": f"host_offer:{offer.pk}",
                "title": offer.title,
                "url": organisation.get_absolute_url(),
                "summary": " · ".join(p for p in (organisation.name, offer.city, offer.description) if p),
                "language": languages[0] if len(languages) == 1 else "",
                "themes": [t.slug for t in offer.themes.all()],
                "countries": [organisation.country.code] if organisation.country else [],
                "audiences": reached[offer.pk],
                "date": offer.reviewed_at,
            }
        )
    return items


def digest_items(*, since, until) -> list[dict]:
    """Exchanges published, or opened for sign-up, in [since, until), still upcoming (three
    queries); offers to host approved in the window (``host_offer_items``)."""
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
    return items + host_offer_items(since=since, until=until)


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
