"""The three roles as groups with permissions.

Coordinators get every permission on what the network manages (our apps' models),
and may look up users, but never change logins, passwords or superuser flags.
Kept in sync after every ``migrate`` so that models added later are covered.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from network.models import Role

# Permissions granted to funders and organisers outside the admin (codename app.label).
EXTRA_PERMISSIONS: dict[str, list[str]] = {
    Role.ORGANISER: [],
    Role.FUNDER: ["evidence.view_dashboard"],
}


def coordinator_permissions():
    apps = settings.LEARNINGLAB_APPS
    own = Permission.objects.filter(content_type__app_label__in=apps).exclude(
        content_type__app_label="network", content_type__model="user"
    )
    user_view = Permission.objects.filter(
        content_type__app_label="network", content_type__model="user", codename="view_user"
    )
    return own | user_view


def roles_sync(**kwargs) -> None:
    # post_migrate reaches network before the apps after it, whose permissions would not
    # exist yet on a fresh database (or after a test flush): create them first.
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for label in settings.LEARNINGLAB_APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=kwargs.get("using", "default"))
    coordinator, _ = Group.objects.get_or_create(name=Role.COORDINATOR)
    coordinator.permissions.set(coordinator_permissions())
    for role, perms in EXTRA_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
