"""Writes with consequences for people and organisations."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core import personal_data
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


@transaction.atomic
def profile_save(*, form, formset) -> Member:
    """Save a member's profile form and their memberships formset together (both validated)."""
    member = form.save()
    formset.instance = member
    formset.save()
    return member


def personal_data_export(*, user: User) -> dict:
    """All personal data held about ``user``, one section per app (``core.personal_data``)."""
    return personal_data.export(user)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Erase ``user``'s personal data and close the account.

    Every app erases its own personal data first through its ``personal_data`` hook (later
    apps before ``network``, so that they can still read the profile and the addresses): future
    registrations are cancelled and their places offered on, unsent emails cancelled, and so
    on (README, "Personal data"). The user row stays, anonymised, so that contributions
    remain and are shown as "former member": its email becomes a unique placeholder that can
    never receive mail, names are blanked, the password is unusable and the account inactive.

    Raises ``core.personal_data.ErasureBusy`` (and changes nothing) when a lock it needs,
    such as an exchange's places, can't be had in time.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        return
    personal_data.erase(user)
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
