"""The coordinators' invitation pages: who may see and do what, and bad input."""

from __future__ import annotations

import pytest
from django.core import mail

from invitations.models import Invitation
from invitations.services import invitation_create
from tests.conftest import ROLES
from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db

STAFF_GETS = ["/invitations/", "/invitations/new/", "/invitations/import/", "/invitations/export.csv"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", STAFF_GETS)
def test_only_coordinators_reach_the_staff_pages(client_as, role, url):
    response = client_as(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "coordinator":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["anonymous", "organiser", "other_organiser", "funder"])
def test_nobody_else_can_invite_resend_revoke_or_import(client_as, role):
    invitation = invitation_create(email="x@example.org").invitation
    client = client_as(role)
    client.post("/invitations/new/", {"email": "y@example.org", "role": "member", "language": "en"})
    client.post(f"/invitations/{invitation.pk}/revoke/")
    client.post(f"/invitations/{invitation.pk}/resend/")
    client.post("/invitations/import/confirm/", {"payload": "x", "language": "en"})
    assert list(Invitation.objects.values_list("email", "state", "send_count")) == [("x@example.org", "pending", 1)]


def test_a_coordinator_invites_one_person_with_an_organisation_role_and_message(
    client_as, coordinator, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Buurtwerk Noord", slug="buurtwerk-noord")
    client = client_as("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/invitations/new/",
            {
                "email": "Pieter@Example.org",
                "name": "Pieter Jansen",
                "organisation": organisation.pk,
                "role": "leader",
                "language": "nl",
                "message": "Tot snel!",
            },
            follow=True,
        )
    assert "pieter@example.org invited." in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.role, invitation.invited_by) == (
        "pieter@example.org",
        organisation,
        "leader",
        coordinator,
    )
    assert mail.outbox[0].to == ["pieter@example.org"] and "Tot snel!" in mail.outbox[0].body
    assert "/nl/invitations/accept/" in mail.outbox[0].body


def test_inviting_twice_says_so_on_the_page(client_as):
    client = client_as("coordinator")
    data = {"email": "x@example.org", "role": "member", "language": "en"}
    client.post("/invitations/new/", data)
    response = client.post("/invitations/new/", data, follow=True)
    assert "already has an open invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-address", "role": "member", "language": "en"},
        {"email": "x@example.org", "role": "king", "language": "en"},
        {"email": "x@example.org", "role": "member", "language": "de"},
        {"email": "x@example.org", "role": "member", "language": "en", "name": "=cmd()"},
        {"email": "x@example.org", "role": "member", "language": "en", "message": "a\x00b"},
        {"email": "x@example.org", "role": "member", "language": "en", "organisation": "abc"},
        {"email": "x@example.org", "role": "member", "language": "en", "message": "x" * 5000},
    ],
)
def test_bad_input_is_a_form_error_not_a_500(client_as, data):
    response = client_as("coordinator").post("/invitations/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Invitation.objects.count() == 0


def test_the_list_filters_searches_and_survives_bad_parameters(client_as):
    invitation_create(email="anna@example.org", name="Anna")
    revoked = invitation_create(email="bo@example.org").invitation
    Invitation.objects.filter(pk=revoked.pk).update(state="revoked")
    client = client_as("coordinator")
    assert [i.email for i in client.get("/invitations/?state=revoked").context["invitations"]] == ["bo@example.org"]
    assert [i.email for i in client.get("/invitations/?q=ann").context["invitations"]] == ["anna@example.org"]
    for query in ["?page=abc", "?state=nonsense", "?q=%00", "?page=99999", "?q=" + "x" * 500]:
        assert client.get("/invitations/" + query).status_code == 200


def test_the_list_has_a_constant_number_of_queries(client_as, django_assert_max_num_queries):
    client = client_as("coordinator")
    organisation = OrganisationFactory()

    def fill(n):
        for i in range(n):
            invitation_create(email=f"p{n}-{i}@example.org", organisation=organisation)

    fill(5)
    with django_assert_max_num_queries(12) as five:
        client.get("/invitations/")
    fill(55)
    with django_assert_max_num_queries(len(five.captured_queries)):
        client.get("/invitations/")


def test_resend_and_revoke_from_the_list(client_as, django_capture_on_commit_callbacks):
    invitation = invitation_create(email="x@example.org").invitation
    client = client_as("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/invitations/{invitation.pk}/resend/")
    assert len(mail.outbox) == 1
    client.post(f"/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    response = client.post(f"/invitations/{invitation.pk}/resend/", follow=True)
    assert "cannot be sent again" in response.content.decode()
    assert client.post("/invitations/999999/revoke/").status_code == 404
    assert client.get(f"/invitations/{invitation.pk}/revoke/").status_code == 405
