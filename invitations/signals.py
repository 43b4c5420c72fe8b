"""An invitation moves from pending to sent when the outbox reports its email has left."""

from django.dispatch import receiver

from invitations.models import Invitation
from outbox.signals import message_sent


@receiver(message_sent, dispatch_uid="invitation_mark_sent")
def invitation_mark_sent(sender, message, **kwargs) -> None:
    if message.kind == "invitation":
        Invitation.objects.filter(outbox_message_id=message.pk, state=Invitation.State.PENDING).update(
            state=Invitation.State.SENT, sent_at=message.sent_at
        )
