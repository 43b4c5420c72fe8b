"""Writes with consequences for people and organisations."""

from __future__ import annotations

import uuid
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

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


def personal_data_modules() -> list[tuple[str, ModuleType]]:
    """Every ``<app>/personal_data.py`` over ``settings.LEARNINGLAB_APPS``, in app order.

    Each module provides ``export(user) -> dict`` (JSON-serialisable personal data the app
    holds about ``user``) and ``erase(user) -> None`` (delete or anonymise it; called inside
    the account-deletion transaction, before the user row itself is anonymised).
    """
    modules = []
    for app in settings.LEARNINGLAB_APPS:
        if find_spec(f"{app}.personal_data") is not None:
            modules.append((app, import_module(f"{app}.personal_data")))
    return modules


def personal_data_export(*, user: User) -> dict:
    """All personal data held about ``user``, one section per app."""
    data: dict = {"generated_at": timezone.now().isoformat()}
    for app, module in personal_data_modules():
        data[app] = module.export(user)
    return data


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Erase ``user``'s personal data and close the account.

    Every app erases its own personal data first (later apps before ``network``, so that they
    can still read the profile). The user row stays, anonymised, so that contributions
    remain and are shown as "former member": its email becomes a unique placeholder that can
    never receive mail, names are blanked, the password is unusable and the account inactive.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        return
    for _app, module in reversed(personal_data_modules()):
        module.erase(user)
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
