"""What the cross-site search (``search/sources.py``) indexes from the network: organisations
and member profiles.

``document(instance)`` returns the text to index (or None: never indexed), ``visible(viewer)``
the rows a viewer may find, from the one policy (``Member.objects.listed``). Contact emails,
login emails and anything a profile's owner did not publish are never part of a document.
"""

from __future__ import annotations

from network.models import Member, Organisation

# The language an organisation's or a profile's free text is most likely written in, from its
# country (organisations have no language field; a bio is written for the network at large).
COUNTRY_LANGUAGES = {"SE": "sv", "FI": "sv", "NL": "nl", "BE": "nl", "SR": "nl"}


def _place(city: str, country) -> str:
    return ", ".join(p for p in (city, str(country.name) if country else "") if p)


def organisation_document(instance: Organisation) -> dict | None:
    # Never the contact email: it is for coordinators only.
    return {
        "title": instance.name,
        "summary": " · ".join(p for p in (_place(instance.city, instance.country), instance.get_kind_display()) if p),
        "body": instance.description,
        "language": COUNTRY_LANGUAGES.get(instance.country.code if instance.country else "", "en"),
        "url": instance.get_absolute_url(),
        "themes": [t.slug for t in instance.themes.all()],
        "countries": [instance.country.code] if instance.country else [],
    }


def organisation_visible(viewer):
    """Organisations are public (their pages are)."""
    return Organisation.objects.all()


def member_document(instance: Member) -> dict | None:
    # A hidden profile never enters the index (not even for its owner); visibility is checked
    # again at query time (``member_visible``), which also covers deactivated accounts.
    if instance.visibility == Member.Visibility.HIDDEN:
        return None
    return {
        "title": instance.display_name,
        "summary": _place(instance.city, instance.country),
        "body": instance.bio,
        "language": COUNTRY_LANGUAGES.get(instance.country.code if instance.country else "", "")
        or instance.preferred_language,
        "url": instance.get_absolute_url(),
        "themes": [t.slug for t in instance.themes.all()],
        "countries": [instance.country.code] if instance.country else [],
    }


def member_visible(viewer):
    return Member.objects.listed(viewer)


def members_of_user(user) -> list[Member]:
    """A user's profile, whose visibility follows the account (active, not deleted)."""
    member = Member.objects.filter(user_id=user.pk).first()
    return [member] if member is not None else []
