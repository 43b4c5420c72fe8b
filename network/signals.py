"""Every new user gets a member profile and the organiser role; every change to the
network invalidates its cached fragments (``network/cache.py``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core.cache import network_changed
from core.policy import Role
from network.models import Member, Membership, Organisation, Theme, User


@receiver(post_save, sender=User, dispatch_uid="network_user_created")
def user_created(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from network.services import member_ensure

        member_ensure(user=instance)


@receiver(post_save, sender=User, dispatch_uid="network_user_changed")
def user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    # A login only stamps last_login: nothing shown in the directories changes.
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    network_changed()


for _model in (Organisation, Theme, Member, Membership):
    post_save.connect(network_changed, sender=_model, dispatch_uid=f"network_changed_save_{_model.__name__}")
    post_delete.connect(network_changed, sender=_model, dispatch_uid=f"network_changed_delete_{_model.__name__}")
post_delete.connect(network_changed, sender=User, dispatch_uid="network_changed_delete_User")
for _through in (Organisation.themes.through, Organisation.networks.through, Member.themes.through):
    m2m_changed.connect(network_changed, sender=_through, dispatch_uid=f"network_changed_m2m_{_through.__name__}")


def staff_follows_role(user_ids) -> None:
    """``is_staff`` (the Django admin's login gate) is derived from the coordinator role, never
    set by hand: a coordinator (or superuser) is staff, anyone else is not."""
    from django.db.models import Exists, OuterRef, Q

    in_role = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=Role.COORDINATOR)
    users = User.objects.filter(pk__in=list(user_ids))
    users.filter(Q(is_superuser=True) | Exists(in_role)).exclude(is_staff=True).update(is_staff=True)
    users.filter(is_superuser=False).exclude(Exists(in_role)).exclude(is_staff=False).update(is_staff=False)


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
