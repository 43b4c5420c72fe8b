"""What the cross-site search (``search/sources.py``) indexes from exchanges.

``document(instance)`` returns the text to index, or None when the exchange must not be
found (drafts); ``visible(viewer)`` is the QuerySet a viewer may find (also what practice links).
"""

from __future__ import annotations

from exchanges.models import Exchange


def document(instance: Exchange) -> dict | None:
    if instance.status == Exchange.Status.DRAFT:
        return None
    themes = list(instance.themes.all())
    place = ", ".join(p for p in (instance.city, str(instance.country.name) if instance.country else "") if p)
    # The translations' words find the exchange in every language (a Swedish title in Swedish).
    translations = list(instance.translations.all())
    body_parts = [instance.description]
    body_parts += [part for t in translations for part in (t.title, t.summary, t.description)]
    body_parts += [place, instance.get_kind_display(), instance.get_format_display()]
    body_parts += [o.name for o in instance.hosts.all()]
    body_parts += [o.name for o in instance.partners.all()]
    # Never index the address or the joining link: they are for confirmed participants only.
    return {
        "title": instance.title,
        "summary": instance.summary,
        "body": "\n".join(str(p) for p in body_parts if p),
        "language": (instance.working_languages or ["en"])[0],
        "url": instance.get_absolute_url(),
        "themes": [t.slug for t in themes],
        "countries": [instance.country.code] if instance.country else [],
    }


def visible(viewer):
    return Exchange.objects.visible_to(viewer).exclude(status=Exchange.Status.DRAFT)


def titles_in(language: str, ids: list[int]) -> dict[int, str]:
    """The translated titles of these exchanges in ``language`` (one query): a hit is listed
    under the title its reader's pages show."""
    from exchanges.models import ExchangeTranslation

    return dict(
        ExchangeTranslation.objects.filter(exchange_id__in=ids, language=language).values_list("exchange_id", "title")
    )
