"""The three roles as groups with permissions.

Coordinators get every permission on what the network manages (our apps' models), and
may look up users. Kept in sync after every ``migrate`` so that models added later are
covered.

Coordinators run the network; they never take over an account. The rules, each held by
the code named (and tried, admin path by admin path, in ``tests/outbox/test_secrets.py``):

1. No login changes. Users are view-only (``network.view_user``, nothing else on users,
   groups or allauth's email addresses): no password, email, group, staff or superuser
   change. The read-only user page leaves the password field out (not even a masked
   summary of the hash), and no change list may filter on it (Django's ``UserAdmin``
   refuses such lookups; ``core.admin.SecretFieldsAdminMixin`` does it for our fields).
2. No secret is ever shown, to anybody, in the admin. Emails that carry a credential
   are marked when queued (``OutboxMessage.carries_secret``): allauth's password reset
   (key or code), email confirmation (key or code) and login code (every allauth email
   except its notices, ``network.adapters``), invitations (the accept link), and digests,
   whose signed preference and unsubscribe links change a member's settings without a
   login (so they count as credentials). Their subject, bodies, headers and attachments
   are on no admin page, in no export, matched by no search or query-string lookup, and
   are removed from the row once sent (``outbox.services``). The calendar feed token is
   not shown or filterable, and is not the feed's ``get_absolute_url`` (the admin's
   "view on site" redirect would hand it to any staff user). The invitation token is
   stored only as a hash, which is neither shown nor filterable. The digest preview
   puts placeholders where the member's signed links would be.
3. Nothing can be re-pointed at another person or address. A member profile and a digest
   preference keep their account (read-only once they exist); an invitation cannot be
   edited (``change_invitation`` is withheld) and a resend goes to its own address with
   a new link; an outbox row cannot be edited, and "resend" sends it, unchanged, to the
   same recipient.
4. No admin action makes a secret a coordinator can read: actions that create one
   (resending an invitation, a password reset a coordinator requests for someone) put it
   only into an email marked as in 2; feeds cannot be created or edited in the admin
   (``add``/``change_calendarfeed`` withheld), only deleted, which revokes them.

Permissions withheld from coordinators although they are on our apps' models are in
``COORDINATOR_WITHHELD``; the admin refuses those changes anyway, withholding them keeps
the rule visible and survives an admin that forgets.
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


# app_label.codename of our models' permissions that coordinators do not get (see above).
COORDINATOR_WITHHELD = [
    # Outbox rows are a record: only read, or resent unchanged (``change`` is "resend").
    "outbox.add_outboxmessage",
    "outbox.delete_outboxmessage",
    # A feed is made by its owner; its token is chosen by us, never typed in.
    "exchanges.add_calendarfeed",
    "exchanges.change_calendarfeed",
    # An invitation's address never changes after it was made; resend is ``add``.
    "network.change_invitation",
]


def coordinator_permissions():
    apps = settings.LEARNINGLAB_APPS
    withheld = Q(pk__in=[])
    for perm in COORDINATOR_WITHHELD:
        app_label, codename = perm.split(".")
        withheld |= Q(content_type__app_label=app_label, codename=codename)
    own = (
        Permission.objects.filter(content_type__app_label__in=apps)
        .exclude(content_type__app_label="network", content_type__model="user")
        .exclude(withheld)
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
