"""Demo data for the email backbone: a few invitations in different states (idempotent).

The invitation emails go through the outbox like any other; in the demo (no Redis) they
are sent in-process to the console.
"""

from __future__ import annotations

from invitations.models import Invitation
from network.models import Organisation, User

DEMO_INVITATIONS = [
    # (email, name, organisation name, role, language, message)
    ("leila.haddad@example.org", "Leila Haddad", "Navet i Bergsjön", "organiser", "sv", "Välkommen till nätverket!"),
    ("samir.osman@example.org", "Samir Osman", "Tillsammans Hjällbo", "member", "sv", ""),
    ("anouk.de.boer@example.org", "Anouk de Boer", "", "member", "nl", "Graag tot op de volgende uitwisseling."),
    ("tom.okafor@example.org", "Tom Okafor", "", "member", "en", ""),
]
REVOKED = "tom.okafor@example.org"


def seed_demo(*, stdout) -> None:
    from invitations.services import invitation_create, invitation_revoke

    coordinator = User.objects.filter(email="coordinator@example.org").first()
    created = 0
    for email, name, organisation_name, role, language, message in DEMO_INVITATIONS:
        if Invitation.objects.filter(email=email).exists():
            continue
        organisation = Organisation.objects.filter(name=organisation_name).first() if organisation_name else None
        result = invitation_create(
            email=email,
            name=name,
            organisation=organisation,
            role=role,
            language=language,
            message=message,
            invited_by=coordinator,
        )
        created += int(result.created)
        if email == REVOKED and result.invitation is not None:
            invitation_revoke(invitation=result.invitation)
    stdout.write(f"outbox: {created} demo invitations.")
