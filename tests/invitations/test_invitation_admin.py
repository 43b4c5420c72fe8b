"""Invitations in the admin: invite one, CSV upload with preview, resend, revoke."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invitations.models import Invitation
from invitations.services import invitation_create
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

BASE = "/admin/invitations/invitation/"


@pytest.mark.parametrize("role", ["anonymous", "organiser", "funder"])
def test_the_admin_pages_are_closed_to_everyone_else(client_as, role):
    for url in [BASE, BASE + "invite/", BASE + "import/"]:
        response = client_as(role).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_coordinators_find_invitations_in_the_admin_of_the_invitations_app(client_as, coordinator):
    # The model moved from network to its own app: the coordinators' permissions follow it.
    assert coordinator.has_perms([f"invitations.{action}_invitation" for action in ("view", "add", "change")])
    index = client_as("coordinator").get("/admin/").content.decode()
    assert f'href="{BASE}"' in index
    assert client_as("coordinator").get(BASE).status_code == 200


def test_add_leads_to_the_invite_form_which_creates_one_invitation(client_as, coordinator):
    client = client_as("coordinator")
    assert client.get(BASE + "add/")["Location"].endswith(BASE + "invite/")
    response = client.post(
        BASE + "invite/", {"email": "x@example.org", "role": "member", "language": "sv"}, follow=True
    )
    assert "x@example.org invited." in response.content.decode().lower()
    invitation = Invitation.objects.get()
    assert invitation.invited_by == coordinator and invitation.language == "sv"


def test_a_csv_upload_shows_a_preview_then_imports_the_good_rows(client_as):
    client = client_as("coordinator")
    content = b"name,email\nAmina,amina@example.org\nBad,not-an-address\n"
    response = client.post(
        BASE + "import/", {"file": SimpleUploadedFile("p.csv", content), "language": "sv", "message": "Hej!"}
    )
    page = response.content.decode()
    assert "Preview" in page and "not a valid email address" in page and "Import 1 invitation" in page
    assert Invitation.objects.count() == 0
    response = client.post(BASE + "import/", response.context["confirm_form"].initial, follow=True)
    assert "1 invitation created." in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.language, invitation.message) == ("amina@example.org", "sv", "Hej!")


def test_resend_and_revoke_actions(client_as, django_capture_on_commit_callbacks):
    client = client_as("coordinator")
    invitation = invitation_create(email="x@example.org").invitation
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BASE, {"action": "resend", "_selected_action": [invitation.pk]})
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    client.post(BASE, {"action": "revoke", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert client.get(f"{BASE}{invitation.pk}/change/").status_code == 200
    assert "token_hash" not in client.get(f"{BASE}{invitation.pk}/change/").content.decode()
