"""What the cross-site search (``search/sources.py``) indexes from programmes: published
programmes, with the titles of their exchanges; drafts are never found."""

from __future__ import annotations

from programmes.models import Programme


def document(instance: Programme) -> dict | None:
    if instance.status != Programme.Status.PUBLISHED:
        return None
    exchanges = list(instance.exchanges.exclude(status="draft").prefetch_related("themes"))
    body = [instance.description, *(e.title for e in exchanges)]
    return {
        "title": instance.title,
        "summary": instance.summary,
        "body": "\n".join(part for part in body if part),
        "language": "en",
        "url": instance.get_absolute_url(),
        "themes": sorted({t.slug for e in exchanges for t in e.themes.all()}),
        "countries": sorted({e.country.code for e in exchanges if e.country}),
    }


def visible(viewer):
    return Programme.objects.visible_to(viewer).filter(status=Programme.Status.PUBLISHED)
