"""What the cross-site search (``search/sources.py``) indexes from strategy: the sections of
each document's current published version, amendments and convening commitments, each as a
``document`` and a ``visible(viewer)`` QuerySet from the models' ``visible_to`` (the one policy).

A section's entry carries the current published version's text of that section in its original
language (title, stemming) and its translations' text and headings (so a Swedish word finds it
too, as a translated exchange is found); a draft's text never enters the index. An amendment's
entry is its proposed text and explanation, never its proposer (profiles may be hidden) nor a
coordinator's reason for declining it.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from strategy.models import Amendment, Commitment, Section, Version

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def current_version(document) -> Version | None:
    """The document's latest published version (what its page shows everyone)."""
    return document.versions.published().order_by("-number").first()


def _heading(section: Section, language: str) -> str:
    return getattr(section, f"heading_{language}", None) or section.heading


def section_document(section: Section) -> dict | None:
    version = current_version(section.document)
    if version is None:
        return None
    texts = {t.language: t for t in version.texts.all()}
    original = texts.get(version.original_language)
    if original is None or not original.section_text(section.key).strip():
        return None
    translations = [t for language, t in texts.items() if language != version.original_language]
    body = [original.section_text(section.key)]
    body += [part for t in translations for part in (_heading(section, t.language), t.section_text(section.key))]
    return {
        "title": _heading(section, version.original_language),
        "summary": original.title,
        "body": "\n\n".join(part for part in body if part),
        "language": version.original_language,
        "url": f"{version.get_absolute_url()}#section-{section.key}",
        "themes": [],
        "countries": [],
    }


def section_visible(viewer):
    """Sections of documents with a published version the viewer may read (everyone may)."""
    return Section.objects.filter(document__in=Version.objects.visible_to(viewer).published().values("document"))


def headings_in(language: str, ids: list[int]) -> dict[int, str]:
    """The sections' headings in ``language`` (one query): a hit is listed under the heading
    its reader's page shows."""
    field = f"heading_{language}" if language in LANGUAGES else "heading"
    return {pk: heading for pk, heading in Section.objects.filter(pk__in=ids).values_list("pk", field) if heading}


def sections_of_version(version: Version):
    return version.document.sections.all()


def sections_of_text(text):
    # A draft's text is never indexed; the section entries follow published texts only.
    return text.version.document.sections.all() if text.version.is_published else []


def amendment_document(amendment: Amendment) -> dict | None:
    version = amendment.round.version
    document = version.document
    applied = amendment.applied_to
    credited = amendment.status in (Amendment.Status.ACCEPTED, Amendment.Status.MERGED)
    if credited and applied is not None and applied.is_published:
        url = f"{applied.get_absolute_url()}#credits-heading"
    elif not version.is_published:
        url = f"{reverse('strategy:document_detail', kwargs={'slug': document.slug})}#amendment-{amendment.pk}"
    else:
        url = reverse("strategy:synthesis", kwargs={"slug": document.slug})
    return {
        "title": _heading(amendment.section, amendment.language),
        "summary": amendment.explanation,
        "body": amendment.text,
        "language": amendment.language,
        "url": url,
        "themes": [],
        "countries": [],
    }


def amendment_visible(viewer):
    return Amendment.objects.visible_to(viewer)


def amendments_of_version(version: Version):
    """An amendment's address follows its round's version and the version it entered."""
    return Amendment.objects.filter(round__version=version) | Amendment.objects.filter(applied_to=version)


def commitment_document(commitment: Commitment) -> dict | None:
    organisations = list(commitment.organisations.all())
    notes = [update.note for update in commitment.updates.all()[:50]]
    body = [commitment.objective.text if commitment.objective else ""]
    body += [o.name for o in organisations] + notes
    return {
        "title": commitment.title,
        "summary": commitment.description,
        "body": "\n\n".join(part for part in body if part),
        "language": (commitment.exchange.working_languages or ["en"])[0],
        "url": commitment.get_absolute_url(),
        "themes": [commitment.theme.slug] if commitment.theme else [],
        "countries": sorted({o.country.code for o in organisations if o.country}),
    }


def commitment_visible(viewer):
    return Commitment.objects.visible_to(viewer)
