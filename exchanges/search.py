"""What the cross-site search (``search/sources.py``) indexes from exchanges.

``document(instance)`` returns the text to index, or None when the exchange must not be
found (drafts); ``visible(viewer)`` is the QuerySet a viewer may find (also what practice links).
"""

from __future__ import annotations

from django.urls import reverse

from exchanges.models import WORKING_LANGUAGES, Exchange, HostOffer


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


def host_offer_document(instance: HostOffer) -> dict | None:
    """An approved offer to host, as the public may read it; None for any other state.

    What is public, decided here: an offer becomes public when coordinators approve it (it is
    then the organisation's offer, and suggestions name it already). Submitted offers, offers
    sent back for changes and declined ones are a member's words under review and never enter
    the index. Only the offer's own words and public facts are indexed: the title, the
    description, the host organisation, its city, the months and the languages; never who
    made the offer, the coordinators' comment or the capacity. The hit leads to the offer's
    own page (``exchanges:host_offer_detail``).
    """
    if instance.status != HostOffer.Status.APPROVED:
        return None
    organisation = instance.organisation
    languages = dict(WORKING_LANGUAGES)
    body_parts = [
        instance.description,
        organisation.name,
        instance.city,
        instance.get_kind_display(),
        instance.get_format_display(),
        ", ".join(str(languages.get(code, code)) for code in instance.working_languages or []),
        ", ".join(instance.months or []),
    ]
    country = organisation.country.code if organisation.country else ""
    return {
        "title": instance.title,
        "summary": " · ".join(p for p in (organisation.name, instance.city) if p),
        "body": "\n".join(str(p) for p in body_parts if p),
        "language": (instance.working_languages or ["en"])[0],
        "url": reverse("exchanges:host_offer_detail", kwargs={"pk": instance.pk}),
        "themes": [t.slug for t in instance.themes.all()],
        "countries": [country] if country else [],
    }


def host_offer_visible(viewer):
    """Approved offers only, for every viewer: coordinators review the others in the admin,
    and a member finds their own on /exchanges/host/, not in the search."""
    return HostOffer.objects.visible_to(viewer).approved()
