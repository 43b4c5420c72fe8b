"""Memberships are facts only once approved: a member asks, an administrator of the
organisation (or a coordinator) decides, and nothing is unlocked before that."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.policy import viewer_for
from evidence.models import Community, Consent, EvidenceRecord, Framework, Round
from network.models import Membership
from outbox.models import OutboxMessage
from tests.conftest import ROLES
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hjallbo():
    return OrganisationFactory(name="Tillsammans Hjällbo", slug="tillsammans-hjallbo")


@pytest.fixture
def admin_of_hjallbo(hjallbo):
    admin = UserFactory(email="hodan@example.org", role="organiser")
    MembershipFactory(member=admin.member, organisation=hjallbo, role=Membership.Role.ADMIN)
    return admin


def _ask(client, organisation, role="organiser", message="I run the homework club."):
    return client.post(
        reverse("network:membership_request"), {"organisation": organisation.pk, "role": role, "message": message}
    )


# --- the attack of the security review (finding 1) ------------------------------------------


def test_asking_to_join_unlocks_nothing_until_an_administrator_approves(
    client, other_organiser, hjallbo, admin_of_hjallbo
):
    """Before: MembershipForm offered every organisation and role with no approval, and the
    membership unlocked the organisation's unpublished and rejected evidence (read and edit),
    withdrawing consent on its published stories, and answering its self-assessment rounds."""
    draft = EvidenceRecordFactory(status=EvidenceRecord.Status.DRAFT, organisations=[hjallbo], title="Draft story")
    rejected = EvidenceRecordFactory(
        status=EvidenceRecord.Status.REJECTED, organisations=[hjallbo], title="Rejected story"
    )
    story = EvidenceRecordFactory(kind="story", organisations=[hjallbo], title="Published story")
    Consent.objects.create(
        record=story,
        person_name="A B",
        obtained_on=datetime.date(2025, 1, 1),
        method="verbal",
        audience_network=True,
        audience_funders=True,
        audience_public=True,
    )
    community = Community.objects.create(name="Hjällbo", slug="hjallbo")
    community.organisations.add(hjallbo)
    today = datetime.date.today()
    round_ = Round.objects.create(
        framework=Framework.objects.create(name="Scan", slug="scan-x"),
        community=community,
        title="Spring scan",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=10),
    )
    client.force_login(other_organiser)

    # The old way in: a membership forged into the profile form is ignored.
    profile = {
        "display_name": "Intruder",
        "visibility": "members",
        "preferred_language": "en",
        "time_zone": "Europe/Stockholm",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": str(hjallbo.pk),
        "memberships-0-role": "admin",
    }
    assert client.post("/me/profile/", profile).status_code == 302
    assert not Membership.objects.filter(member=other_organiser.member).exists()

    # The new way: a request, which grants nothing yet.
    assert _ask(client, hjallbo).status_code == 302
    membership = Membership.objects.get(member=other_organiser.member)
    assert membership.state == Membership.State.REQUESTED
    assert viewer_for(other_organiser).organisation_ids == frozenset()
    for record in (draft, rejected):
        assert client.get(record.get_absolute_url()).status_code == 404
        assert client.get(reverse("evidence:edit", args=[record.pk])).status_code in (403, 404)
    assert client.post(reverse("evidence:consent_withdraw", args=[story.pk]), {"note": "x"}).status_code == 403
    story.consent.refresh_from_db()
    assert story.consent.withdrawn_at is None
    assert client.get(reverse("evidence:round_answer", args=[round_.pk])).status_code == 403
    mine = client.get(reverse("evidence:mine")).content.decode()
    assert "Draft story" not in mine and "Rejected story" not in mine
    assert "Intruder" not in client.get(hjallbo.get_absolute_url()).content.decode()

    # The organisation's administrator approves: now, and only now, the facts change.
    client.force_login(admin_of_hjallbo)
    assert client.post(reverse("network:membership_approve", args=[membership.pk])).status_code == 302
    client.force_login(other_organiser)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(reverse("evidence:round_answer", args=[round_.pk])).status_code == 200
    assert "Draft story" in client.get(reverse("evidence:mine")).content.decode()


def test_nobody_may_ask_to_become_an_administrator(client, organiser, hjallbo):
    client.force_login(organiser)
    response = _ask(client, hjallbo, role=Membership.Role.ADMIN)
    assert response.status_code == 400
    assert not Membership.objects.filter(member=organiser.member).exists()


# --- asking ---------------------------------------------------------------------------------


def test_a_request_emails_the_organisations_administrators(client, organiser, hjallbo, admin_of_hjallbo, coordinator):
    client.force_login(organiser)
    _ask(client, hjallbo)
    emails = OutboxMessage.objects.filter(kind="membership_request")
    assert [e.to for e in emails] == [admin_of_hjallbo.email]
    email = emails.get()
    assert "Tillsammans Hjällbo" in email.subject and "I run the homework club." in email.body_text
    assert "/organisations/requests/" in email.body_text and "/organisations/requests/" in email.body_html


def test_without_an_administrator_the_coordinators_are_emailed(client, organiser, coordinator):
    organisation = OrganisationFactory()
    client.force_login(organiser)
    _ask(client, organisation)
    assert list(OutboxMessage.objects.filter(kind="membership_request").values_list("to", flat=True)) == [
        coordinator.email
    ]


def test_asking_twice_makes_one_request_and_one_email(client, organiser, hjallbo, admin_of_hjallbo):
    client.force_login(organiser)
    for _ in range(3):
        assert _ask(client, hjallbo).status_code == 302
    assert Membership.objects.filter(member=organiser.member).count() == 1
    assert OutboxMessage.objects.filter(kind="membership_request").count() == 1


def test_members_ask_again_after_a_refusal(client, organiser, hjallbo, admin_of_hjallbo):
    client.force_login(organiser)
    _ask(client, hjallbo)
    membership = Membership.objects.get(member=organiser.member)
    client.force_login(admin_of_hjallbo)
    client.post(reverse("network:membership_decline", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.state == Membership.State.DECLINED
    declined = OutboxMessage.objects.get(kind="membership_declined")
    assert declined.to == organiser.email
    client.force_login(organiser)
    _ask(client, hjallbo, message="Second try.")
    membership.refresh_from_db()
    assert membership.state == Membership.State.REQUESTED and membership.message == "Second try."
    assert OutboxMessage.objects.filter(kind="membership_request").count() == 2


def test_a_member_withdraws_a_request_and_leaves_an_organisation(client, organiser, hjallbo):
    client.force_login(organiser)
    _ask(client, hjallbo)
    membership = Membership.objects.get(member=organiser.member)
    assert client.post(reverse("network:membership_leave", args=[membership.pk])).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    approved = MembershipFactory(member=organiser.member, organisation=hjallbo)
    client.post(reverse("network:membership_leave", args=[approved.pk]))
    assert viewer_for(type(organiser).objects.get(pk=organiser.pk)).organisation_ids == frozenset()


def test_nobody_leaves_for_someone_else(client, organiser, other_organiser, hjallbo):
    membership = MembershipFactory(member=other_organiser.member, organisation=hjallbo)
    client.force_login(organiser)
    assert client.post(reverse("network:membership_leave", args=[membership.pk])).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- deciding -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, "admin_of_hjallbo", "admin_elsewhere"])
def test_only_the_organisations_administrators_and_coordinators_decide(client, request, role, hjallbo):
    asker = UserFactory(email="asker@example.org", role="organiser")
    membership = MembershipFactory(
        member=asker.member, organisation=hjallbo, state=Membership.State.REQUESTED, role="organiser"
    )
    if role == "admin_elsewhere":
        user = UserFactory(role="organiser")
        MembershipFactory(member=user.member, role=Membership.Role.ADMIN)
        client.force_login(user)
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    listed = client.get(reverse("network:membership_requests"))
    response = client.post(reverse("network:membership_approve", args=[membership.pk]))
    membership.refresh_from_db()
    if role == "anonymous":
        assert listed.status_code == 302 and response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert membership.state == Membership.State.REQUESTED
    elif role in ("coordinator", "admin_of_hjallbo"):
        assert membership.state == Membership.State.APPROVED
        approved = OutboxMessage.objects.get(kind="membership_approved")
        assert approved.to == asker.email and "Tillsammans Hjällbo" in approved.subject
        assert asker.member.display_name in listed.content.decode()
    else:
        assert response.status_code == 403
        assert membership.state == Membership.State.REQUESTED
        assert asker.member.display_name not in listed.content.decode()


def test_a_request_is_decided_once(client, coordinator, hjallbo, admin_of_hjallbo):
    membership = MembershipFactory(organisation=hjallbo, state=Membership.State.REQUESTED)
    client.force_login(admin_of_hjallbo)
    client.post(reverse("network:membership_approve", args=[membership.pk]))
    client.force_login(coordinator)
    client.post(reverse("network:membership_decline", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.state == Membership.State.APPROVED
    assert not OutboxMessage.objects.filter(kind="membership_declined").exists()


def test_coordinators_decide_requests_in_the_admin(client, coordinator, hjallbo):
    membership = MembershipFactory(organisation=hjallbo, state=Membership.State.REQUESTED)
    client.force_login(coordinator)
    changelist = reverse("admin:network_membership_changelist")
    assert "requested" in client.get(changelist + "?state__exact=requested").content.decode()
    response = client.post(changelist, {"action": "approve_requests", "_selected_action": [membership.pk]})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == Membership.State.APPROVED
    assert OutboxMessage.objects.filter(kind="membership_approved", to=membership.member.user.email).exists()


def test_the_organisation_page_invites_to_ask_and_shows_waiting_requests(client, organiser, hjallbo, admin_of_hjallbo):
    client.force_login(organiser)
    html = client.get(hjallbo.get_absolute_url()).content.decode()
    assert "Ask to join this organisation" in html
    _ask(client, hjallbo)
    html = client.get(hjallbo.get_absolute_url()).content.decode()
    assert "waits for an administrator" in html
    client.force_login(admin_of_hjallbo)
    assert "One request to join waits for your decision." in client.get(hjallbo.get_absolute_url()).content.decode()


def test_an_invitation_into_the_organisation_approves_a_waiting_request(client, organiser, coordinator, hjallbo):
    from invitations import services as invitations

    client.force_login(organiser)
    _ask(client, hjallbo, role="volunteer")
    result = invitations.invitation_create(
        email=organiser.email, organisation=hjallbo, role="leader", invited_by=coordinator
    )
    # A waiting request is not yet a membership: the invitation is made.
    assert result.status == "invited"
    invitations.invitation_accept(invitation=result.invitation, user=organiser)
    membership = Membership.objects.get(member=organiser.member)
    assert (membership.state, membership.role, membership.decided_by) == (
        Membership.State.APPROVED,
        "leader",
        coordinator,
    )
    assert hjallbo.pk in viewer_for(type(organiser).objects.get(pk=organiser.pk)).organisation_ids


# --- choosing the organisation (issue 16: 20,000 of them at ten times the network) ----------


def test_the_join_form_draws_only_the_chosen_organisation_and_finds_others_by_name(client, other_organiser, hjallbo):
    for n in range(25):
        OrganisationFactory(name=f"Hyresgästföreningen {n:02d}", slug=f"hyresgastforeningen-{n}")
    client.force_login(other_organiser)
    page = reverse("network:memberships")

    html = client.get(page).content.decode()
    assert 'name="organisation"' not in html and 'name="find"' in html
    assert "Send the request" not in html

    found = client.get(page, {"find": "hyresgäst"}).content.decode()
    assert found.count("?organisation=hyresgastforeningen-") == 20
    assert "Only the first 20 are shown" in found
    assert "Hjällbo" not in found

    chosen = client.get(page, {"organisation": hjallbo.slug}).content.decode()
    select = chosen[chosen.index('name="organisation"') :]
    select = select[: select.index("</select>")]
    assert select.count("<option") == 1
    assert f'<option value="{hjallbo.pk}" selected>Tillsammans Hjällbo</option>' in select
    assert "Send the request" in chosen


def test_asking_for_an_organisation_that_does_not_exist_says_so(client, other_organiser):
    client.force_login(other_organiser)
    response = client.post(reverse("network:membership_request"), {"organisation": 999999, "role": "organiser"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(member=other_organiser.member, state="requested").exists()


@pytest.mark.parametrize("find", ["Hj\x00llbo", "x" * 500, "%", "' OR 1=1 --"])
def test_a_hostile_search_for_an_organisation_never_answers_500(client, other_organiser, hjallbo, find):
    """A NUL character is turned away (400) before any view, by the request guard every page has."""
    client.force_login(other_organiser)
    response = client.get(reverse("network:memberships"), {"find": find})
    assert response.status_code == (400 if "\x00" in find else 200)
    assert "?organisation=tillsammans-hjallbo" not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "1e3", "-1", "99999999999999999999999"])
def test_a_hostile_organisation_in_a_request_is_refused_without_an_error(client, other_organiser, value):
    client.force_login(other_organiser)
    response = client.post(reverse("network:membership_request"), {"organisation": value, "role": "organiser"})
    assert response.status_code == 400
    assert not Membership.objects.filter(member=other_organiser.member, state="requested").exists()
