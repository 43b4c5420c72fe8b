"""A coordinator invites from a CSV in the admin; the invitee follows the emailed link and
signs up in Swedish; the invitation shows accepted."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from invitations.models import Invitation
from network.models import Membership, User
from tests.browser.conftest import assert_accessible
from tests.factories.network import PASSWORD, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # pytest-base-url (pulled in by pytest-playwright) defines a fixture pytest 9 deprecates.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

CSV = (
    "name,email,organisation,role,language\n"
    "Amina Yusuf,amina.yusuf@example.org,stadsdelsforum-hammarkullen,organiser,sv\n"
    "Broken Row,not-an-address,,,\n"
)


def test_coordinator_invites_from_csv_and_invitee_signs_up_in_swedish(live_server, page, browser, settings):
    settings.SITE_URL = live_server.url
    UserFactory(email="coordinator@example.org", role="coordinator")
    organisation = OrganisationFactory(name="Stadsdelsforum Hammarkullen", slug="stadsdelsforum-hammarkullen")

    # The coordinator logs in and uploads the CSV in the admin.
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.fill("input[name=login]", "coordinator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/admin/invitations/invitation/")
    page.get_by_role("link", name="Invite from a CSV file").click()
    page.set_input_files(
        "input[name=file]", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()

    # The preview: one good row, one row with its error; nothing saved yet.
    preview = page.locator(".import-preview")
    preview.get_by_text("Will be invited.").wait_for()
    assert "not a valid email address" in preview.inner_text()
    assert Invitation.objects.count() == 0
    page.get_by_role("button", name="Import 1 invitation").click()
    page.get_by_text("1 invitation created.").wait_for()
    assert Invitation.objects.get().state == "sent"

    # The invitee opens the link from the email they received (a fresh browser, in Swedish).
    email = next(m for m in mail.outbox if m.to == ["amina.yusuf@example.org"])
    assert "Stadsdelsforum Hammarkullen" in email.subject and "Du är inbjuden" in email.subject
    link = re.search(r"(http://\S+/sv/invitations/accept/[\w-]+/)", email.body).group(1)
    invitee_context = browser.new_context(bypass_csp=True, locale="sv-SE")
    invitee = invitee_context.new_page()
    try:
        invitee.goto(link)
        invitee.get_by_role("heading", name="Välkommen, Amina Yusuf").wait_for()
        assert_accessible(invitee)
        invitee.get_by_role("button", name="Skapa mitt konto").click()
        invitee.wait_for_url(re.compile(r"/sv/accounts/signup/"))
        assert invitee.input_value("input[name=email]") == "amina.yusuf@example.org"
        assert_accessible(invitee)
        invitee.fill("input[name=password1]", "ett-långt-Lösenord-2026")
        invitee.fill("input[name=password2]", "ett-långt-Lösenord-2026")
        invitee.locator("main form button[type=submit]").click()
        invitee.wait_for_url(re.compile(r"/sv/$"))
        assert_accessible(invitee)
        assert "Logga ut" in invitee.content()
        # The link worked once: opening it again explains why it no longer does.
        invitee.goto(link)
        invitee.get_by_role("heading", name="Den här inbjudningslänken fungerar inte").wait_for()
        assert "redan använts" in invitee.content()
        assert_accessible(invitee)
    finally:
        invitee_context.close()

    user = User.objects.get(email="amina.yusuf@example.org")
    assert user.member.preferred_language == "sv"
    assert Membership.objects.filter(member=user.member, organisation=organisation, role="organiser").exists()

    # The coordinator sees the invitation accepted, in the admin and on the staff page.
    page.goto(f"{live_server.url}/admin/invitations/invitation/?state__exact=accepted")
    page.get_by_role("link", name="amina.yusuf@example.org").wait_for()
    page.goto(f"{live_server.url}/invitations/?state=accepted")
    assert "amina.yusuf@example.org" in page.locator("table").inner_text()
    assert "accepted" in page.locator("table").inner_text()
    assert_accessible(page)
    for path in ("/invitations/new/", "/invitations/import/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
