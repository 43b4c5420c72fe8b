"""Every new user gets a member profile and the organiser role; every change to the
network bumps the ``network`` namespace of the fragment cache (``core.cache``): accounts (names,
deactivation), profiles (names, visibility), organisations, themes and memberships."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from core import cache
from core.policy import coordinators_q
from network.models import Member, Membership, Organisation, Theme, User


@receiver(post_save, sender=User, dispatch_uid="network_user_created")
def user_created(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from network.services import member_ensure

        member_ensure(user=instance)


cache.watch(
    "network",
    User,
    Member,
    Organisation,
    Theme,
    Membership,
    Organisation.themes.through,
    Organisation.networks.through,
    Member.themes.through,
    # A login only stamps last_login (and an upgrade of the hash the password): no name shown changes.
    quiet_fields={User: ("last_login", "password")},
)


def staff_follows_role(user_ids) -> None:
    """``is_staff`` (the Django admin's login gate) is derived from the coordinator role, never
    set by hand: a coordinator (or superuser) is staff, anyone else is not."""

    users = User.objects.filter(pk__in=list(user_ids))
    users.filter(coordinators_q()).exclude(is_staff=True).update(is_staff=True)
    users.exclude(coordinators_q()).exclude(is_staff=False).update(is_staff=False)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="network_staff_follows_groups")
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    user_ids = (
        [instance.pk]
        if not reverse
        else list(User.groups.through.objects.filter(group=instance).values_list("user_id", flat=True))
        + list(pk_set or [])
    )
    if reverse and action == "post_clear":
        user_ids = list(User.objects.filter(is_staff=True).values_list("pk", flat=True))
    staff_follows_role(user_ids)


@receiver(post_save, sender=User, dispatch_uid="network_staff_follows_role_on_save")
def user_saved_staff(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if not raw:
        staff_follows_role([instance.pk])
