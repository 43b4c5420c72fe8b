"""What a reader sees of a version's citations: each cited thing through its own app's rule.

* evidence records: ``EvidenceRecord.objects.visible_to(viewer)`` (a funder sees what funders
  may see, a withdrawn story nobody);
* indicators: their live figures, aggregated over the published records the reader's audience
  may see (``evidence.dashboard.indicator_quarters``, as on the dashboard);
* guides: the published version in the reader's language, else the original, else any.

A fixed number of queries per page, whatever the number of sections and citations.
"""

from __future__ import annotations

from collections import defaultdict

from core.policy import Viewer, representative
from evidence import dashboard
from evidence.models import EvidenceRecord
from practice.models import Guide
from strategy.models import Version


def citations_for(version: Version, viewer: Viewer, language: str) -> dict[int, dict]:
    """``{section_id: {"records": [...], "indicators": [...], "guides": [...]}}``."""
    citations = list(version.citations.all())
    out: dict[int, dict] = defaultdict(lambda: {"records": [], "indicators": [], "guides": []})
    if not citations:
        return out
    record_ids = {c.record_id for c in citations if c.record_id}
    records = {}
    if record_ids:
        records = {
            r.pk: r
            for r in EvidenceRecord.objects.visible_to(viewer)
            .filter(pk__in=record_ids)
            .only("pk", "title", "summary", "kind", "status")
        }
    indicator_ids = {c.indicator_id for c in citations if c.indicator_id}
    figures = {}
    if indicator_ids:
        published = EvidenceRecord.objects.visible_to(representative(viewer.audience)).published()
        for entry in dashboard.indicator_quarters(published):
            if entry["pk"] in indicator_ids:
                actuals = [q for q in entry["quarters"] if q["actual"] is not None]
                figures[entry["pk"]] = {**entry, "latest": actuals[-1] if actuals else None}
    guide_ids = {c.guide_id for c in citations if c.guide_id}
    guides: dict[int, Guide] = {}
    if guide_ids:
        for guide in Guide.objects.published().filter(work_id__in=guide_ids).select_related("work"):
            current = guides.get(guide.work_id)
            rank = (guide.language == language, guide.language == guide.work.original_language)
            if current is None or rank > (current.language == language, current.is_original):
                guides[guide.work_id] = guide
    for c in citations:
        if c.record_id in records:
            out[c.section_id]["records"].append(records[c.record_id])
        elif c.indicator_id in figures:
            out[c.section_id]["indicators"].append(figures[c.indicator_id])
        elif c.guide_id in guides:
            out[c.section_id]["guides"].append(guides[c.guide_id])
    return out


def attach(rows: list[dict], cited: dict[int, dict]) -> None:
    """Put each section's citations on its row (``row["cited"]``) for the templates."""
    for row in rows:
        found = cited.get(row["section"].pk)
        row["cited"] = found if found and any(found.values()) else None
