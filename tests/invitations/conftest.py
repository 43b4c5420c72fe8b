import re

import pytest
from django.core import mail


def token_from_mail(message) -> str:
    match = re.search(r"/invitations/accept/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def sent_invitation(db, django_capture_on_commit_callbacks, coordinator):
    """(invitation, raw token, accept path) of an invitation whose email went out."""
    from invitations.services import invitation_create
    from tests.factories.network import OrganisationFactory

    organisation = OrganisationFactory(name="Stadsdelsforum Hammarkullen", slug="stadsdelsforum-hammarkullen")
    with django_capture_on_commit_callbacks(execute=True):
        result = invitation_create(
            email="newcomer@example.org",
            name="Amina Yusuf",
            organisation=organisation,
            role="organiser",
            language="sv",
            message="Välkommen!",
            invited_by=coordinator,
        )
    token = token_from_mail(mail.outbox[-1])
    result.invitation.refresh_from_db()
    return result.invitation, token, re.search(r"https?://[^/]+(/\S+)", mail.outbox[-1].body).group(1)
