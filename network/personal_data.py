"""Personal data the network app holds: the login, the profile and memberships.

The hook every app may provide (see README, "Per-app hooks"): ``export(user) -> dict`` and
``erase(user) -> None``, discovered by ``network.services.personal_data_modules``.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext

from network.models import Member, Membership, User


def export(user: User) -> dict:
    member = Member.objects.filter(user=user).prefetch_related("themes").first()
    data: dict = {
        "user": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_active": user.is_active,
            "roles": sorted(group.name for group in user.groups.all()),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "profile": None,
        "memberships": [],
    }
    if member is not None:
        data["profile"] = {
            "display_name": member.display_name,
            "country": member.country.code or "",
            "city": member.city,
            "languages": list(member.languages),
            "themes": [theme.slug for theme in member.themes.all()],
            "bio": member.bio,
            "visibility": member.visibility,
            "preferred_language": member.preferred_language,
            "time_zone": member.time_zone,
            "created_at": member.created_at.isoformat(),
            "updated_at": member.updated_at.isoformat(),
        }
        data["memberships"] = [
            {
                "organisation": membership.organisation.name,
                "organisation_slug": membership.organisation.slug,
                "role": membership.role,
                "since": membership.since.isoformat() if membership.since else None,
            }
            for membership in Membership.objects.filter(member=member).select_related("organisation")
        ]
    return data


def erase(user: User) -> None:
    member_ids = list(Member.objects.filter(user=user).values_list("pk", flat=True))
    # The admin's history names the objects it changed; keep the history, drop the name.
    for model, ids in ((User, [user.pk]), (Member, member_ids)):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=gettext("former member"))
    Membership.objects.filter(member__user=user).delete()
    Member.objects.filter(user=user).delete()
    # Confirmations cascade with the addresses. Open sessions end by themselves: the account
    # becomes inactive and its password unusable, which invalidates every session's auth hash.
    EmailAddress.objects.filter(user=user).delete()
