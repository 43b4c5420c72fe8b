"""schema.org data of a published guide's page: ``HowTo`` for how-to guidance (its sections as
steps), ``Article`` for every other kind."""

from __future__ import annotations

from django.conf import settings

from core.licences import licence_url
from practice.models import Guide, Kind


def guide_json_ld(guide: Guide) -> dict:
    if guide.status != Guide.Status.PUBLISHED:
        return {}
    work = guide.work
    url = settings.SITE_URL + guide.get_absolute_url()
    publisher = {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"}
    data = {
        "@context": "https://schema.org",
        "@id": url,
        "url": url,
        "inLanguage": guide.language,
        "description": guide.summary,
        "datePublished": guide.published_at.isoformat() if guide.published_at else None,
        "dateModified": guide.updated_at.isoformat(),
        "publisher": publisher,
        "author": publisher,
    }
    if licence_url(work.licence):
        data["license"] = licence_url(work.licence)
    if work.kind == Kind.HOW_TO:
        steps = [
            {"@type": "HowToStep", "name": str(heading), "text": text}
            for _key, heading, text in guide.section_list()
            if text
        ]
        data.update({"@type": "HowTo", "name": guide.title, "step": steps})
    else:
        data.update({"@type": "Article", "headline": guide.title[:110], "name": guide.title})
    return {key: value for key, value in data.items() if value is not None}
