"""Personal data the network app holds: the login, the profile and memberships, allauth's
email addresses (and their confirmations), open sessions and the admin's history.
Invitations to the person's addresses are the invitations app's (``invitations/personal_data.py``).

Erasure (``core.personal_data``; ``network`` is erased last, after every app above it):

* the member profile, its memberships and themes are deleted, and its photo's files (every
  width) with it, once the deletion commits (``core.pictures``); the user row itself is then
  anonymised by ``network.services.account_delete`` (it stays, as "former member", for what
  the person contributed);
* allauth's email addresses are deleted (their confirmations cascade); login codes live only
  in the session, and every session of the person is deleted;
* the admin's history keeps its entries but the person's addresses and names in the entries'
  object names and change messages become "former member";
* memberships *decided by* the person keep pointing at the anonymised row.
"""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext

from core import personal_data
from core.personal_data import iso
from network.models import Member, Membership, User

# Names shorter than this are not replaced inside the admin's history: "Al" would rewrite every
# entry that mentions "Alliance". Addresses are always replaced.
MIN_NAME_LENGTH = 4


def export(user: User) -> dict:
    member = Member.objects.filter(user=user).prefetch_related("themes").first()
    data: dict = {
        "user": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
            "is_active": user.is_active,
            "roles": sorted(group.name for group in user.groups.all()),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "profile": None,
        "memberships": [],
        "sessions": [{"expires": iso(expires)} for expires in _session_expiries(user)],
    }
    if member is not None:
        data["profile"] = {
            "display_name": member.display_name,
            "country": member.country.code or "",
            "city": member.city,
            "languages": list(member.languages),
            "themes": [theme.slug for theme in member.themes.all()],
            "bio": member.bio,
            # The photo itself is at this address (as the person sees it, signed in), in
            # several widths beside it; its files go with the profile when the account is deleted.
            "photo": _absolute(member.photo.url) if member.photo else None,
            "photo_alt": member.photo_alt,
            "visibility": member.visibility,
            "suggestable": member.suggestable,
            "preferred_language": member.preferred_language,
            "time_zone": member.time_zone,
            "created_at": iso(member.created_at),
            "updated_at": iso(member.updated_at),
        }
        data["memberships"] = [
            {
                "organisation": membership.organisation.name,
                "organisation_slug": membership.organisation.slug,
                "role": membership.role,
                "state": membership.state,
                "since": iso(membership.since),
                "message": membership.message,
                "requested_at": iso(membership.requested_at),
                "decided_at": iso(membership.decided_at),
            }
            for membership in Membership.objects.filter(member=member).select_related("organisation")
        ]
    return data


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def erase(user: User) -> None:
    _admin_history_erase(user)
    Membership.objects.filter(member__user=user).delete()
    Member.objects.filter(user=user).delete()
    # Confirmations cascade with the addresses.
    EmailAddress.objects.filter(user=user).delete()
    Session.objects.filter(pk__in=_session_keys(user)).delete()


def _admin_history_erase(user: User) -> None:
    """Keep the admin's history, drop the person from it: the entries about their account and
    profile get "former member" as the object's name, and every entry that names them (an
    inline membership, a registration's "name – exchange") has the name replaced."""
    placeholder = gettext("former member")
    member = Member.objects.filter(user=user).first()
    entries = Q(content_type__app_label="network", content_type__model="user", object_id=str(user.pk))
    if member is not None:
        entries |= Q(content_type__app_label="network", content_type__model="member", object_id=str(member.pk))
    LogEntry.objects.filter(entries).update(object_repr=placeholder)
    needles = set(personal_data.person_addresses(user))
    names = {user.get_full_name(), user.first_name, user.last_name, member.display_name if member else ""}
    needles |= {name.strip() for name in names if len(name.strip()) >= MIN_NAME_LENGTH}
    # Longest first, so that "Amina Warsame" goes as a whole before "Amina" would split it.
    for needle in sorted(needles, key=len, reverse=True):
        # Change messages are JSON written with non-ASCII characters escaped ("J\\u00f6nsson").
        for field, text in (
            ("object_repr", needle),
            ("change_message", needle),
            ("change_message", json.dumps(needle)[1:-1]),
        ):
            LogEntry.objects.filter(**{f"{field}__contains": text}).update(
                **{field: Replace(field, Value(text), Value(placeholder))}
            )


def _session_keys(user: User) -> list[str]:
    return [key for key, _expires in _sessions_of(user)]


def _session_expiries(user: User) -> list:
    return sorted(expires for _key, expires in _sessions_of(user))


def _sessions_of(user: User) -> list[tuple[str, object]]:
    """The database sessions signed in as ``user``. Session data is signed and encoded, so every
    session is decoded: a deletion (rare) reads the session table once, rather than every login
    writing an owner column for it."""
    store = Session.get_session_store_class()()
    found = []
    for key, data, expires in Session.objects.values_list("session_key", "session_data", "expire_date").iterator():
        if str(store.decode(data).get("_auth_user_id", "")) == str(user.pk):
            found.append((key, expires))
    return found


personal_data.register(
    app="network",
    export=export,
    erase=erase,
    models=[User, Member, Membership, EmailAddress, EmailConfirmation, LogEntry, Session],
)
