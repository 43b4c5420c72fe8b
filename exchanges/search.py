"""Minimal search source for exchanges (written by the practice helper for its tests;
the exchanges owner's version replaces it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def document(exchange) -> dict | None:
    languages = exchange.working_languages or ["en"]
    return {
        "title": exchange.title,
        "summary": exchange.summary,
        "body": exchange.description,
        "language": languages[0] if len(languages) == 1 else "",
        "url": exchange.get_absolute_url(),
        "themes": [theme.slug for theme in exchange.themes.all()],
        "countries": [exchange.country.code] if exchange.country else [],
    }


def visible(user):
    from exchanges.models import Exchange

    if user is not None and user.is_authenticated and user.is_coordinator:
        return Exchange.objects.all()
    return Exchange.objects.filter(status=Exchange.Status.PUBLISHED)


SEARCH = {
    "model": "exchanges.Exchange",
    "kind": "exchange",
    "label": _("Exchange"),
    "document": document,
    "visible": visible,
}
