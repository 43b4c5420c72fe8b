"""Group-led joint action: members of an approved organisation propose one, partners accept or
decline their role, coordinators review it before it is public."""

from __future__ import annotations

import pytest
from django.urls import reverse

from network.models import Membership, Role
from outbox.models import OutboxMessage
from practice.models import JointAction, Participation, PartnerInvitation
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db

NEW = reverse("practice:joint_action_propose")
INVITATIONS = reverse("practice:partner_invitations")


@pytest.fixture
def world(organiser):
    lead = OrganisationFactory(name="Tillsammans Hjällbo")
    partner = OrganisationFactory(name="Buurtkracht Nijverdal", country="NL")
    member = UserFactory(email="member@example.org", role=Role.ORGANISER)
    MembershipFactory(member=member.member, organisation=lead)
    partner_admin = UserFactory(email="admin@partner.example.org", role=Role.ORGANISER)
    member_for(partner_admin, preferred_language="nl")
    MembershipFactory(member=partner_admin.member, organisation=partner, role=Membership.Role.ADMIN)
    partner_member = UserFactory(email="member@partner.example.org", role=Role.ORGANISER)
    MembershipFactory(member=partner_member.member, organisation=partner)
    requested = UserFactory(email="requested@example.org", role=Role.ORGANISER)
    MembershipFactory(member=requested.member, organisation=lead, state=Membership.State.REQUESTED)
    return {
        "lead": lead,
        "partner": partner,
        "member": member,
        "partner_admin": partner_admin,
        "partner_member": partner_member,
        "requested": requested,
        "theme": ThemeFactory(slug="climate-change-x", name="Climate change"),
    }


def _propose(client, world, **extra):
    data = {
        "title": "Warm homes across borders",
        "issue": world["theme"].pk,
        "countries": ["SE", "NL"],
        "summary": "Tenants in Göteborg and Nijverdal push for insulation together.",
        "organisation": world["lead"].pk,
        "role": "lead",
        "partners": [world["partner"].pk],
        **extra,
    }
    return client.post(NEW, data)


@pytest.mark.parametrize("who", ["anonymous", "organiser", "requested", "funder", "member", "coordinator"])
def test_only_approved_members_propose_on_behalf_of_their_organisation(client, request, world, who):
    if who != "anonymous":
        user = world.get(who) or request.getfixturevalue(who)
        client.force_login(user)
    page = client.get(NEW)
    _propose(client, world)
    proposed = JointAction.objects.filter(title="Warm homes across borders").first()
    if who == "member":
        assert page.status_code == 200
        assert proposed.status == JointAction.Status.DRAFT
        assert list(proposed.participations.values_list("organisation__name", "role")) == [
            ("Tillsammans Hjällbo", "lead")
        ]
    else:
        assert proposed is None
        assert page.status_code == 302


def test_a_member_cannot_propose_for_an_organisation_they_do_not_belong_to(client, world):
    client.force_login(world["member"])
    response = _propose(client, world, organisation=world["partner"].pk)
    assert response.status_code == 200 and not JointAction.objects.exists()


def test_a_proposal_is_public_only_once_coordinators_publish_it(client, world, coordinator):
    client.force_login(world["member"])
    _propose(client, world)
    action = JointAction.objects.get()
    client.logout()
    assert client.get(action.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    assert "Warm homes across borders" in client.get(reverse("practice:review_queue")).content.decode()
    client.post(reverse("practice:joint_action_publish", kwargs={"slug": action.slug}))
    client.logout()
    assert "Warm homes across borders" in client.get(action.get_absolute_url()).content.decode()
    client.force_login(world["member"])
    assert client.post(reverse("practice:joint_action_publish", kwargs={"slug": action.slug})).status_code == 403


def test_a_partner_takes_part_only_once_its_administrator_accepts(client, world, coordinator):
    client.force_login(world["member"])
    _propose(client, world)
    action = JointAction.objects.get()
    invitation = PartnerInvitation.objects.get()
    email = OutboxMessage.objects.get(kind="practice_partner_invitation")
    assert email.to == world["partner_admin"].email and email.language == "nl"
    assert not Participation.objects.filter(organisation=world["partner"]).exists()
    # Another member of the partner organisation may not answer for it.
    client.force_login(world["partner_member"])
    assert "Warm homes" not in client.get(INVITATIONS).content.decode()
    assert client.post(reverse("practice:partner_invitation_accept", args=[invitation.pk])).status_code == 403
    client.force_login(world["partner_admin"])
    assert "Warm homes across borders" in client.get(INVITATIONS).content.decode()
    for _ in range(2):
        client.post(reverse("practice:partner_invitation_accept", args=[invitation.pk]))
    assert Participation.objects.filter(joint_action=action, organisation=world["partner"]).count() == 1
    # A decided invitation does not change again.
    client.post(reverse("practice:partner_invitation_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == PartnerInvitation.State.ACCEPTED


def test_a_declined_partner_is_never_named(client, world, coordinator):
    client.force_login(world["member"])
    _propose(client, world)
    action = JointAction.objects.get()
    invitation = PartnerInvitation.objects.get()
    client.force_login(world["partner_admin"])
    client.post(reverse("practice:partner_invitation_decline", args=[invitation.pk]))
    client.force_login(coordinator)
    client.post(reverse("practice:joint_action_publish", kwargs={"slug": action.slug}))
    client.logout()
    assert "Buurtkracht Nijverdal" not in client.get(action.get_absolute_url()).content.decode()
