"""The network's cached fragments (``core.cache``, namespace ``network``): a decision about a
membership and a profile's visibility show on the very next load of every page that lists
them, for every audience."""

from __future__ import annotations

import pytest
from django.urls import reverse

from invitations import services as invitations
from network.models import Member, Membership
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db
MEMBERS = reverse("network:member_list")


@pytest.fixture
def hjallbo():
    return OrganisationFactory(name="Tillsammans Hjällbo", slug="tillsammans-hjallbo")


@pytest.fixture
def asking(hjallbo):
    """A member with a public profile whose request to join Hjällbo waits."""
    user = UserFactory(role="organiser")
    member_for(user, display_name="Hodan Warsame", visibility=Member.Visibility.PUBLIC)
    return MembershipFactory(member=user.member, organisation=hjallbo, state=Membership.State.REQUESTED)


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_approved_request_shows_on_the_organisation_page_and_in_the_directory_at_once(client_as, hjallbo, asking):
    # Every audience loads the pages first: their fragments are cached.
    for role in ("anonymous", "organiser", "funder", "coordinator"):
        assert "Hodan Warsame" not in _html(client_as(role), hjallbo.get_absolute_url())
    directory = _html(client_as("organiser"), MEMBERS)
    assert "Hodan Warsame" in directory and "Tillsammans Hjällbo" not in directory
    # Approved through the page, as an administrator does it (a conditional update, no signal).
    response = client_as("coordinator").post(reverse("network:membership_approve", args=[asking.pk]))
    assert response.status_code == 302
    assert Membership.objects.get(pk=asking.pk).state == Membership.State.APPROVED
    for role in ("anonymous", "organiser", "funder", "coordinator"):
        assert "Hodan Warsame" in _html(client_as(role), hjallbo.get_absolute_url()), role
    assert "Tillsammans Hjällbo" in _html(client_as("organiser"), MEMBERS)


def test_a_declined_request_changes_nothing_shared(client_as, hjallbo, asking, organiser, coordinator):
    before = {role: _html(client_as(role), hjallbo.get_absolute_url()) for role in ("anonymous", "organiser")}
    assert "Hodan Warsame" not in before["anonymous"]
    client_as("coordinator").post(reverse("network:membership_decline", args=[asking.pk]))
    assert Membership.objects.get(pk=asking.pk).state == Membership.State.DECLINED
    for role in ("anonymous", "organiser"):
        assert "Hodan Warsame" not in _html(client_as(role), hjallbo.get_absolute_url())
    assert "Tillsammans Hjällbo" not in _html(client_as("organiser"), MEMBERS)


def test_an_invitation_that_approves_a_waiting_request_shows_at_once(client_as, hjallbo, asking, coordinator):
    assert "Hodan Warsame" not in _html(client_as("anonymous"), hjallbo.get_absolute_url())
    user = asking.member.user
    invitation = invitations.invitation_create(
        email=user.email, organisation=hjallbo, role=Membership.Role.ORGANISER, invited_by=coordinator
    ).invitation
    invitations.invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.get(pk=asking.pk).state == Membership.State.APPROVED
    assert "Hodan Warsame" in _html(client_as("anonymous"), hjallbo.get_absolute_url())


def test_a_profile_hidden_on_the_profile_page_leaves_every_list_at_once(
    client_as, hjallbo, organiser, other_organiser, funder, coordinator
):
    member_for(organiser, display_name="Karin Berg", visibility=Member.Visibility.PUBLIC)
    MembershipFactory(member=organiser.member, organisation=hjallbo)
    for role in ("anonymous", "other_organiser", "funder", "coordinator"):
        assert "Karin Berg" in _html(client_as(role), hjallbo.get_absolute_url()), role
    assert "Karin Berg" in _html(client_as("other_organiser"), MEMBERS)
    client = client_as("organiser")
    form = _html(client, reverse("network:profile_edit"))
    assert 'name="visibility"' in form
    member = organiser.member
    response = client.post(
        reverse("network:profile_edit"),
        {
            "display_name": member.display_name,
            "country": member.country,
            "city": member.city,
            "visibility": Member.Visibility.HIDDEN,
            "preferred_language": member.preferred_language,
            "time_zone": member.time_zone,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.get(pk=member.pk).visibility == Member.Visibility.HIDDEN
    for role in ("anonymous", "other_organiser", "funder", "coordinator"):
        assert "Karin Berg" not in _html(client_as(role), hjallbo.get_absolute_url()), role
    assert "Karin Berg" not in _html(client_as("other_organiser"), MEMBERS)
