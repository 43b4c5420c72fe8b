"""Writes with consequences for people and organisations."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from network.models import Member, Role, User


@transaction.atomic
def member_ensure(*, user: User) -> Member:
    """Give ``user`` a member profile and the organiser role if they have none yet."""
    member, created = Member.objects.get_or_create(
        user=user,
        defaults={"display_name": user.get_full_name() or user.email.split("@")[0]},
    )
    if created:
        group, _ = Group.objects.get_or_create(name=Role.ORGANISER)
        user.groups.add(group)
    return member
