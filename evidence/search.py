"""Minimal search source for evidence records (written by the practice helper for its tests;
the evidence owner's version replaces it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def document(record) -> dict | None:
    return {
        "title": record.title,
        "summary": record.summary,
        "body": record.body,
        "language": record.original_language,
        "url": record.get_absolute_url(),
        "themes": [theme.slug for theme in record.themes.all()],
        "countries": sorted({org.country.code for org in record.organisations.all() if org.country}),
    }


def visible(user):
    """Published records only; the public sees public ones, members also network ones,
    funders also funder ones; coordinators see every published record."""
    from evidence.models import EvidenceRecord

    published = EvidenceRecord.objects.filter(status=EvidenceRecord.Status.PUBLISHED)
    if user is None or not user.is_authenticated:
        return published.filter(visibility=EvidenceRecord.Visibility.PUBLIC)
    if user.is_coordinator:
        return published
    allowed = [EvidenceRecord.Visibility.PUBLIC, EvidenceRecord.Visibility.NETWORK]
    if user.is_funder:
        allowed.append(EvidenceRecord.Visibility.FUNDERS)
    return published.filter(visibility__in=allowed)


SEARCH = {
    "model": "evidence.EvidenceRecord",
    "kind": "evidence",
    "label": _("Evidence"),
    "document": document,
    "visible": visible,
}
