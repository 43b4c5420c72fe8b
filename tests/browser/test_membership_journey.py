"""Joining an organisation in a real browser: a member asks from the organisation's page, the
organisation's administrator approves on the requests page, and the member then sees the
organisation's unpublished evidence. Every page is checked with axe-core and photographed at a
phone's and a desktop's width in English, Swedish and Dutch."""

from __future__ import annotations

import re

import pytest

from evidence.models import EvidenceRecord
from network.models import Membership, Role
from outbox.models import OutboxMessage
from tests.browser.conftest import assert_accessible, screenshots, signed_in_page
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_as(browser, live_server, user):
    return signed_in_page(browser, live_server, user)


def test_a_member_asks_to_join_and_the_administrator_approves(browser, live_server):
    hjallbo = OrganisationFactory(name="Tillsammans Hjällbo", slug="tillsammans-hjallbo")
    admin = UserFactory(email="hodan@example.org", role=Role.ORGANISER)
    member_for(admin, display_name="Hodan Ali")
    MembershipFactory(member=admin.member, organisation=hjallbo, role=Membership.Role.ADMIN)
    asker = UserFactory(email="elin@example.org", role=Role.ORGANISER)
    member_for(asker, display_name="Elin Berg")
    EvidenceRecordFactory(
        title="Homework club draft", status=EvidenceRecord.Status.DRAFT, organisations=[hjallbo], created_by=admin
    )
    base = live_server.url

    page = _page_as(browser, live_server, asker)
    page.goto(base + hjallbo.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Ask to join this organisation").click()
    page.wait_for_url(re.compile(r"/me/organisations/\?organisation="))
    assert page.get_by_label("Organisation", exact=True).input_value() == str(hjallbo.pk)
    page.get_by_label("Your role there").select_option("volunteer")
    page.get_by_label("A word to the organisation (optional)").fill("I help with the homework club on Saturdays.")
    assert_accessible(page)
    screenshots(page, "membership-ask-en")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(re.compile(r"/me/organisations/$"))
    assert "waiting for approval" in page.content()
    assert_accessible(page)
    screenshots(page, "membership-waiting-en")
    # Nothing is unlocked yet.
    page.goto(base + "/evidence/mine/")
    assert "Homework club draft" not in page.content()
    for language in ("sv", "nl"):
        page.goto(f"{base}/{language}/me/organisations/")
        assert_accessible(page)
        screenshots(page, f"membership-waiting-{language}")

    request = OutboxMessage.objects.get(kind="membership_request")
    assert request.to == admin.email
    link = re.search(r"https?://[^\s]+/organisations/requests/", request.body_text).group(0)

    admin_page = _page_as(browser, live_server, admin)
    admin_page.goto(base + re.sub(r"^https?://[^/]+", "", link))
    assert_accessible(admin_page)
    screenshots(admin_page, "membership-requests-en")
    for language in ("sv", "nl"):
        admin_page.goto(f"{base}/{language}/organisations/requests/")
        assert_accessible(admin_page)
        screenshots(admin_page, f"membership-requests-{language}")
    admin_page.goto(base + "/organisations/requests/")
    admin_page.get_by_role("button", name=re.compile(r"^Approve")).click()
    admin_page.wait_for_url(re.compile(r"/organisations/requests/$"))
    assert "Elin Berg is now a member of Tillsammans Hjällbo." in admin_page.content()
    assert "No request waits for your decision." in admin_page.content()

    assert OutboxMessage.objects.filter(kind="membership_approved", to=asker.email).exists()
    page.goto(base + "/evidence/mine/")
    assert "Homework club draft" in page.content()
    page.goto(base + hjallbo.get_absolute_url())
    assert "You are a member of this organisation" in page.content()
    screenshots(page, "membership-member-en")
