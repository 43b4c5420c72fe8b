"""Invitation services: one open invitation per address, states, tokens, resend, revoke."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from invitations import services
from invitations.models import Invitation
from network.models import Membership
from outbox.models import OutboxMessage
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory
from tests.invitations.conftest import token_from_mail

pytestmark = pytest.mark.django_db


def test_an_invitation_stores_only_the_hash_of_its_token_and_emails_the_link(sent_invitation):
    invitation, token, path = sent_invitation
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash and len(token) >= 40
    assert path == f"/sv/invitations/accept/{token}/"
    message = mail.outbox[-1]
    assert message.to == ["newcomer@example.org"]
    assert "Stadsdelsforum Hammarkullen" in message.subject
    assert "Välkommen!" in message.body
    assert f"http://testserver{path}" in message.alternatives[0][0]
    assert invitation.expires_at - timezone.now() > timedelta(days=13, hours=23)


def test_an_invitation_moves_from_pending_to_sent_when_its_email_left(sent_invitation):
    invitation, _, _ = sent_invitation
    assert invitation.state == "sent" and invitation.sent_at is not None
    assert invitation.outbox_message.state == "sent"


def test_the_ttl_is_a_setting(settings, django_capture_on_commit_callbacks):
    settings.INVITATION_TTL_DAYS = 3
    result = services.invitation_create(email="x@example.org")
    assert timedelta(days=2, hours=23) < result.invitation.expires_at - timezone.now() <= timedelta(days=3)


def test_a_token_is_found_only_when_it_is_exact():
    result = services.invitation_create(email="x@example.org")
    assert services.invitation_for_token("forged-token") is None
    assert services.invitation_for_token("") is None
    assert services.invitation_for_token("a" * 500) is None
    assert result.invitation.token_hash not in ("", None)


def test_inviting_an_address_with_an_open_invitation_creates_no_duplicate_and_says_so():
    first = services.invitation_create(email="Anna@Example.org")
    second = services.invitation_create(email="anna@example.org ")
    assert first.created and not second.created
    assert second.status == "already_invited" and "already has an open invitation" in second.message
    assert Invitation.objects.count() == 1 and OutboxMessage.objects.count() == 1
    assert first.invitation.email == "anna@example.org"


def test_inviting_an_existing_member_creates_nothing_unless_it_adds_an_organisation():
    user = UserFactory(email="member@example.org")
    organisation = OrganisationFactory()
    result = services.invitation_create(email="MEMBER@example.org")
    assert result.status == "already_member" and "already a member" in result.message
    MembershipFactory(member=user.member, organisation=organisation)
    assert services.invitation_create(email="member@example.org", organisation=organisation).status == "already_member"
    other = OrganisationFactory()
    joined = services.invitation_create(email="member@example.org", organisation=other)
    assert joined.created and "invited to join" in joined.message
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one():
    old = services.invitation_create(email="x@example.org").invitation
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    new = services.invitation_create(email="x@example.org")
    assert new.created
    old.refresh_from_db()
    assert old.state == "expired"


def test_an_invalid_address_is_refused():
    with pytest.raises(ValidationError):
        services.invitation_create(email="not an address")
    with pytest.raises(ValidationError):
        services.invitation_create(email="a\x00b@example.org")
    assert Invitation.objects.count() == 0


def test_the_database_allows_one_open_invitation_per_address():
    from django.db import IntegrityError, transaction

    services.invitation_create(email="x@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(email="x@example.org", token_hash="f" * 64, expires_at=timezone.now())


def test_resend_sends_a_new_link_and_the_old_one_stops_working(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(email="x@example.org").invitation
    old_token = token_from_mail(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    new_token = token_from_mail(mail.outbox[-1])
    assert len(mail.outbox) == 2 and old_token != new_token
    assert services.invitation_for_token(old_token) is None
    assert services.invitation_for_token(new_token).pk == invitation.pk
    invitation.refresh_from_db()
    assert invitation.send_count == 2


def test_resend_reopens_an_expired_invitation_but_not_an_accepted_or_revoked_one():
    invitation = services.invitation_create(email="x@example.org").invitation
    Invitation.objects.filter(pk=invitation.pk).update(state="expired")
    assert services.invitation_resend(invitation=invitation).state == "pending"
    services.invitation_revoke(invitation=invitation)
    with pytest.raises(services.InvitationError):
        services.invitation_resend(invitation=invitation)


def test_revoke_closes_an_open_invitation_once():
    invitation = services.invitation_create(email="x@example.org").invitation
    assert services.invitation_revoke(invitation=invitation) is True
    assert services.invitation_revoke(invitation=invitation) is False
    invitation.refresh_from_db()
    assert invitation.state == "revoked" and invitation.revoked_at is not None


def test_accepting_creates_the_membership_and_verifies_the_address(sent_invitation):
    invitation, _, _ = sent_invitation
    user = UserFactory(email="newcomer@example.org", verified=False)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    services.invitation_accept(invitation=invitation, user=user)
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.accepted_by == user
    membership = Membership.objects.get(member=user.member)
    assert membership.organisation == invitation.organisation and membership.role == "organiser"
    assert EmailAddress.objects.get(user=user).verified
    with pytest.raises(services.InvitationError):
        services.invitation_accept(invitation=invitation, user=UserFactory())
    assert Membership.objects.count() == 1
