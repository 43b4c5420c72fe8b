"""Every new user gets a member profile and the organiser role."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from network.models import User


@receiver(post_save, sender=User, dispatch_uid="network_user_created")
def user_created(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from network.services import member_ensure

        member_ensure(user=instance)
