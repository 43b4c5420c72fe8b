"""Items for the digests (built in the digests app): records published in [since, until).

``audiences`` are asked of ``EvidenceRecord.objects.visible_to`` itself (``core.policy.audiences_of``):
the stricter of visibility and consent, exactly as on the pages; a record nobody may see
(withdrawn or expired consent) is left out altogether.
"""

from __future__ import annotations

from django.db.models import F, OuterRef
from django.utils import timezone

from core.db import ListSubquery
from core.policy import audiences_of
from evidence.models import EvidenceRecord, RecordCountry
from network.models import Theme


def digest_items(*, since, until) -> list[dict]:
    records = (
        EvidenceRecord.objects.published()
        .filter(published_at__gte=since, published_at__lt=until)
        .select_related("consent")
        .annotate(
            theme_slugs=ListSubquery(
                Theme.objects.filter(evidence_records=OuterRef("pk")).annotate(v=F("slug")).values_list("v")
            ),
            country_codes=ListSubquery(
                RecordCountry.objects.filter(record=OuterRef("pk")).annotate(v=F("country")).values_list("v")
            ),
        )
        .order_by("published_at", "pk")
    )
    records = list(records)
    reached = audiences_of(EvidenceRecord.objects.visible_to, [record.pk for record in records])
    items = []
    for record in records:
        audiences = reached[record.pk]
        if not audiences:
            continue
        items.append(
            {
                "section": "evidence",
                "key": f"evidence:{record.pk}",
                "title": record.title,
                "url": record.get_absolute_url(),
                "summary": record.summary,
                "language": record.original_language,
                "themes": sorted(record.theme_slugs),
                "countries": sorted(record.country_codes),
                "audiences": audiences,
                "date": timezone.localtime(record.published_at).date() if record.published_at else None,
            }
        )
    return items
