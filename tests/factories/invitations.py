from network.invitations import invitation_create
from network.models import Membership


def invite(email="newcomer@example.org", **fields):
    """An invitation created through the service, with its raw token (from the sent email)."""
    fields.setdefault("role", Membership.Role.MEMBER)
    result = invitation_create(email=email, **fields)
    return result.invitation
