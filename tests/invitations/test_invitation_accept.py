"""Following an invitation link: signup already verified, joining as an existing member,
and every kind of bad link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from invitations.models import Invitation
from invitations.services import invitation_create, invitation_revoke
from network.models import Membership, User
from outbox.models import OutboxMessage
from tests.factories.network import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


PASSWORD = "a-long-enough-Passw0rd"


def _signup(client, path, email="newcomer@example.org", password=PASSWORD):
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, follow=True)  # "Create my account"
    assert response.redirect_chain[-1][0].endswith("/accounts/signup/")
    form = response.context["form"]
    assert form["email"].value() == email
    return client.post(
        response.redirect_chain[-1][0], {"email": email, "password1": password, "password2": password}, follow=True
    )


def test_a_new_person_signs_up_in_swedish_verified_and_joins_the_organisation(client, sent_invitation):
    invitation, _token, path = sent_invitation
    mails_before = len(mail.outbox)
    response = _signup(client, path)
    assert response.status_code == 200
    user = User.objects.get(email="newcomer@example.org")
    assert response.context["user"] == user  # logged in: no verification step
    assert EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == mails_before  # no verification email
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.accepted_by == user
    membership = Membership.objects.get(member__user=user)
    assert (membership.organisation, membership.role) == (invitation.organisation, "organiser")
    assert user.member.preferred_language == "sv"
    assert user.member.display_name == "Amina Yusuf"


def test_the_link_works_only_once(client, sent_invitation):
    _invitation, _token, path = sent_invitation
    _signup(client, path)
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "redan använts" in response.content.decode() or "already been used" in response.content.decode()


def test_signing_up_with_another_address_keeps_only_the_invited_one_verified(client, sent_invitation):
    _invitation, _token, path = sent_invitation
    client.get(path)
    client.post(path)
    password = "a-long-enough-Passw0rd"
    response = client.post(
        "/sv/accounts/signup/", {"email": "someone.else@example.org", "password1": password, "password2": password}
    )
    assert response.status_code == 302
    # allauth makes the address proven by the link the primary one; the typed one is not verified.
    addresses = dict(EmailAddress.objects.values_list("email", "verified"))
    assert addresses.get("newcomer@example.org") is True
    assert addresses.get("someone.else@example.org", False) is False


def test_an_existing_member_logs_in_and_just_joins_the_organisation(client, sent_invitation):
    invitation, _token, path = sent_invitation
    user = UserFactory(email="newcomer@example.org")
    MembershipFactory(member=user.member)
    # Anonymous: asked to log in, with the way back.
    response = client.get(path)
    assert response.context["mode"] == "login"
    client.force_login(user)
    assert client.get(path).context["mode"] == "join"
    response = client.post(path)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "accepted"
    assert user.member.memberships.count() == 2
    assert User.objects.count() == 2  # the coordinator and this member: no new account


def test_a_member_logged_in_with_another_address_cannot_accept(client, sent_invitation):
    invitation, _token, path = sent_invitation
    client.force_login(UserFactory(email="other@example.org"))
    assert client.get(path).context["mode"] == "wrong_account"
    client.post(path)
    invitation.refresh_from_db()
    assert invitation.state == "sent"
    assert Membership.objects.count() == 0


def _state_snapshot():
    return (
        list(Invitation.objects.values_list("pk", "state", "token_hash", "accepted_by")),
        User.objects.count(),
        Membership.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.mark.parametrize("how", ["forged", "expired", "revoked", "accepted", "garbage"])
def test_a_bad_link_gets_a_clear_page_and_changes_nothing(client, sent_invitation, how):
    invitation, token, path = sent_invitation
    if how == "forged":
        path = path.replace(token, token[:-4] + "AAAA")
    elif how == "garbage":
        path = "/invitations/accept/%00%3Cscript%3E/"
    elif how == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    elif how == "revoked":
        invitation_revoke(invitation=invitation)
    elif how == "accepted":
        Invitation.objects.filter(pk=invitation.pk).update(state="accepted")
    before = _state_snapshot()
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code in (404, 410)
    assert _state_snapshot() == before
    assert "invitation_token" not in client.session
    if how != "garbage":
        assert "Nothing was changed" in response.content.decode() or "Inget har ändrats" in response.content.decode()


def test_expired_links_say_expired_in_english(client):
    invitation = invitation_create(email="x@example.org", language="en").invitation
    from invitations.services import token_new

    raw, digest = token_new()
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=digest, expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(f"/invitations/accept/{raw}/")
    assert response.status_code == 410 and "has expired" in response.content.decode()


def test_an_invitation_revoked_during_signup_neither_verifies_nor_joins(client, sent_invitation):
    invitation, _token, path = sent_invitation
    client.get(path)
    client.post(path)
    invitation_revoke(invitation=invitation)
    password = "a-long-enough-Passw0rd"
    client.post("/sv/accounts/signup/", {"email": invitation.email, "password1": password, "password2": password})
    user = User.objects.get(email=invitation.email)
    assert not EmailAddress.objects.get(user=user).verified
    assert Membership.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
