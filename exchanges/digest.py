"""The exchanges' contribution to the member digest (see ``digests.providers`` for the contract).

A minimal version written with the digests app: it uses only the skeleton fields of
``Exchange`` and ``Registration``. The exchanges app owns this module.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from exchanges.models import Exchange, Registration

REMINDER_HORIZON = dt.timedelta(days=30)


def _audiences(exchange: Exchange) -> list[str]:
    if exchange.kind == Exchange.Kind.CONVENING:
        return ["funders"]
    return ["members", "network"]


def _item(exchange: Exchange, *, section: str, key: str) -> dict:
    return {
        "section": section,
        "key": key,
        "title": exchange.title,
        "url": exchange.get_absolute_url(),
        "summary": exchange.summary,
        "language": (exchange.working_languages or [""])[0],
        "themes": [theme.slug for theme in exchange.themes.all()],
        "countries": [str(exchange.country)] if exchange.country else [],
        "audiences": _audiences(exchange),
        "date": exchange.starts_at,
    }


def digest_items(*, since, until) -> list[dict]:
    """Published exchanges, not started by ``until``, whose registration opened in the window, or that were
    published in it without an opening date (the creation time stands in for publication)."""
    exchanges = (
        Exchange.objects.filter(status=Exchange.Status.PUBLISHED, starts_at__gte=until)
        .filter(
            Q(registration_opens_at__gte=since, registration_opens_at__lt=until)
            | Q(registration_opens_at__isnull=True, created_at__gte=since, created_at__lt=until)
        )
        .prefetch_related("themes")
    )
    return [_item(exchange, section="exchanges", key=f"exchange:{exchange.pk}") for exchange in exchanges]


def digest_member_items(*, user_ids, now) -> dict[int, list[dict]]:
    """Each member's confirmed exchanges starting within the next 30 days (two queries)."""
    registrations = (
        Registration.objects.filter(
            user_id__in=user_ids,
            state=Registration.State.CONFIRMED,
            exchange__status=Exchange.Status.PUBLISHED,
            exchange__starts_at__gte=now,
            exchange__starts_at__lt=now + REMINDER_HORIZON,
        )
        .select_related("exchange")
        .prefetch_related("exchange__themes")
    )
    result: dict[int, list[dict]] = {}
    for registration in registrations:
        result.setdefault(registration.user_id, []).append(
            _item(registration.exchange, section="reminders", key=f"registration:{registration.pk}")
        )
    return result
