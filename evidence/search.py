"""What the cross-site search (``search/sources.py``) indexes from the evidence base.

``document`` returns None for anything unpublished, and ``visible`` is exactly
``EvidenceRecord.objects.visible_to(viewer)``: the search engine intersects its hits with it, so
withdrawn or expired consent and narrow visibility hold in search as everywhere else.
"""

from __future__ import annotations

from evidence.models import EvidenceRecord


def document(instance: EvidenceRecord) -> dict | None:
    if instance.status != EvidenceRecord.Status.PUBLISHED:
        return None
    parts = [
        instance.body,
        instance.why_it_matters,
        instance.outcome_who,
        instance.outcome_what,
        instance.significance,
        instance.contribution,
    ]
    return {
        "title": instance.title,
        "summary": instance.summary,
        "body": "\n\n".join(p for p in parts if p),
        "language": instance.original_language,
        "url": instance.get_absolute_url(),
        # ``.all()``, not ``values_list``: a full reindex prefetches both relations.
        "themes": sorted(theme.slug for theme in instance.themes.all()),
        "countries": sorted(str(row.country) for row in instance.record_countries.all()),
    }


def visible(viewer):
    return EvidenceRecord.objects.visible_to(viewer)
