"""The evidence base's contribution to the member digest (see ``digests.providers``).

A minimal version written with the digests app, on the skeleton fields of
``EvidenceRecord``. The evidence app owns this module.
"""

from __future__ import annotations

from evidence.models import EvidenceRecord

AUDIENCES = {
    EvidenceRecord.Visibility.PUBLIC: ["public"],
    EvidenceRecord.Visibility.NETWORK: ["network"],
    EvidenceRecord.Visibility.FUNDERS: ["funders"],
}


def digest_items(*, since, until) -> list[dict]:
    """Records published in ``[since, until)``."""
    records = EvidenceRecord.objects.filter(
        status=EvidenceRecord.Status.PUBLISHED, published_at__gte=since, published_at__lt=until
    ).prefetch_related("themes", "organisations")
    return [
        {
            "section": "evidence",
            "key": f"evidence:{record.pk}",
            "title": record.title,
            "url": record.get_absolute_url(),
            "summary": record.summary,
            "language": record.original_language,
            "themes": [theme.slug for theme in record.themes.all()],
            "countries": sorted({str(o.country) for o in record.organisations.all() if o.country}),
            "audiences": AUDIENCES.get(record.visibility, []),
            "date": record.published_at,
        }
        for record in records
    ]
