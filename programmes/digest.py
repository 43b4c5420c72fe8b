"""Items for the network's email digests (``digests/providers.py`` names this module).

``digest_items``: programmes published or changed in the window (section ``programmes``),
for the audiences ``Programme.objects.visible_to`` lets see them (drafts reach no one).
``digest_member_items``: for a member enrolled in a cohort, the exchanges of their programme
starting in the next 30 days that they have not signed up for (section ``reminders``; those
they signed up for are the exchanges app's reminders already).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from core.policy import audiences_of
from exchanges.digest import reminder_item
from exchanges.models import PARTICIPANT_STATES, Exchange, Registration
from programmes.models import Enrolment, Programme

UPCOMING_DAYS = 30


def digest_items(*, since, until) -> list[dict]:
    """Published programmes whose content coordinators made or changed in [since, until)
    (``content_changed_at``, not any save); their themes and countries are their exchanges'.
    Three queries and one per audience."""
    programmes = list(
        Programme.objects.filter(
            status=Programme.Status.PUBLISHED, content_changed_at__gte=since, content_changed_at__lt=until
        )
        .prefetch_related("exchanges__themes")
        .order_by("content_changed_at", "pk")
    )
    reached = audiences_of(Programme.objects.visible_to, [p.pk for p in programmes])
    items = []
    for programme in programmes:
        exchanges = [e for e in programme.exchanges.all() if e.status != Exchange.Status.DRAFT]
        items.append(
            {
                "section": "programmes",
                "key": f"programme:{programme.pk}",
                "title": programme.title,
                "url": programme.get_absolute_url(),
                "summary": programme.summary,
                # A programme spans its exchanges' languages: no one language keeps it from a reader.
                "language": "",
                "themes": sorted({t.slug for e in exchanges for t in e.themes.all()}),
                # Programmes run across borders: no country keeps it from a reader either.
                "countries": [],
                "audiences": reached[programme.pk],
                "date": programme.content_changed_at,
            }
        )
    return items


def digest_member_items(*, user_ids, now) -> dict[int, list[dict]]:
    """Each enrolled member's upcoming exchanges of their programmes, unless they signed up
    for them already. Five queries (enrolments, exchanges, their themes and translations, registrations)."""
    user_ids = list(user_ids)
    rows = list(
        Enrolment.objects.filter(
            user_id__in=user_ids, state=Enrolment.State.ENROLLED, programme__status=Programme.Status.PUBLISHED
        ).values_list("user_id", "programme__exchanges")
    )
    exchange_ids = {exchange_id for _user, exchange_id in rows if exchange_id is not None}
    exchanges = {
        e.pk: e
        for e in Exchange.objects.published()
        .filter(pk__in=exchange_ids, starts_at__gte=now, starts_at__lt=now + timedelta(days=UPCOMING_DAYS))
        .prefetch_related("themes", "translations")
    }
    signed_up = set(
        Registration.objects.filter(
            user_id__in=user_ids, exchange_id__in=list(exchanges), state__in=PARTICIPANT_STATES
        ).values_list("user_id", "exchange_id")
    )
    result: dict[int, dict[int, dict]] = defaultdict(dict)
    for user_id, exchange_id in rows:
        exchange = exchanges.get(exchange_id)
        if exchange is None or (user_id, exchange_id) in signed_up:
            continue
        result[user_id][exchange_id] = reminder_item(exchange)
    return {uid: list(result.get(uid, {}).values()) for uid in user_ids}
