"""Personal data the invitations app holds: invitations to the person's addresses.

Invitations to any of the person's addresses (and the one they accepted) are deleted with the
name the coordinator typed; invitations the person *sent* stay (they are about the invitee),
attributed to "former member". The invitation emails are redacted by the outbox's hook. This
app comes after network in ``INSTALLED_APPS``, so its erasure runs first, while the person's
email addresses (which ``person_addresses`` reads) still exist.
"""

from __future__ import annotations

from django.db.models import Q

from core import personal_data
from core.personal_data import iso
from invitations.models import Invitation


def _invitations_of(user):
    return Invitation.objects.filter(Q(email__in=personal_data.person_addresses(user)) | Q(accepted_by=user))


def export(user) -> list[dict]:
    return [
        {
            "email": invitation.email,
            "name": invitation.name,
            "organisation": invitation.organisation.name if invitation.organisation else None,
            "role": invitation.role,
            "language": invitation.language,
            "message": invitation.message,
            "state": invitation.state,
            "created_at": iso(invitation.created_at),
            "sent_at": iso(invitation.sent_at),
            "accepted_at": iso(invitation.accepted_at),
        }
        for invitation in _invitations_of(user).select_related("organisation").order_by("created_at")
    ]


def erase(user) -> None:
    _invitations_of(user).delete()


personal_data.register(app="invitations", export=export, erase=erase, models=[Invitation])
