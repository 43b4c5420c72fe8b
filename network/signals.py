"""Every new user gets a member profile and the organiser role; every change to the
network invalidates its cached fragments (``network/cache.py``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core.cache import network_changed
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
