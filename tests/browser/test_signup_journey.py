"""A visitor joins: signs up, verifies the address from the email, completes the profile,
finds an organisation by country and switches to Swedish. axe-core checks every page."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail

from devtools.seed.network import seed_demo
from network.models import User
from tests.browser.conftest import assert_accessible

# serialized_rollback: give the data of migrations (the themes) back to the tests that follow.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "new.organiser@example.org"
PASSWORD = "a-long-and-secret-passphrase-42"


def test_a_visitor_signs_up_completes_the_profile_finds_an_organisation_and_switches_to_swedish(live_server, page):
    seed_demo(stdout=io.StringIO())
    base = live_server.url

    page.goto(base + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").first.click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    assert_accessible(page)

    page.get_by_label("Email:").fill(EMAIL)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert_accessible(page)

    # The verification email went out; follow its link.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    link = re.search(r"https?://[^\s\"<>]+/accounts/confirm-email/[^\s\"<>]+", message.body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(base + path)
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_url(re.compile(r"^" + re.escape(base) + r"/$"))
    assert User.objects.get(email=EMAIL).emailaddress_set.get().verified

    # Complete the profile.
    page.get_by_text("Account", exact=True).click()  # the member menu
    page.get_by_role("link", name="My profile").click()
    page.wait_for_url(re.compile(r"/me/profile/$"))
    assert_accessible(page)
    page.get_by_label("Display name").fill("Hodan Warsame")
    page.get_by_label("Country").select_option("SE")
    page.get_by_label("City").fill("Göteborg")
    page.get_by_label("Somali").check()
    page.get_by_label("Swedish").check()
    page.get_by_label("Housing").check()
    page.get_by_label("Short bio").fill("Organising with neighbours in Hjällbo.")
    page.get_by_label("Public", exact=False).first.check()
    page.get_by_label("Time zone").select_option("Europe/Stockholm")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r"/me/profile/$"))
    assert "Your profile is saved." in page.content()
    assert_accessible(page)
    member = User.objects.get(email=EMAIL).member
    assert member.display_name == "Hodan Warsame"
    assert sorted(member.languages) == ["so", "sv"]

    # Ask to join an organisation: the request waits for its administrator.
    page.get_by_text("Account", exact=True).click()
    page.get_by_role("navigation", name="Account").get_by_role("link", name="My organisations").click()
    page.wait_for_url(re.compile(r"/me/organisations/$"))
    assert_accessible(page)
    # The organisation is found by name (the network may hold thousands), then chosen.
    page.get_by_label("Find the organisation by its name").fill("hjällbo")
    ask = page.get_by_role("region", name="Ask to join an organisation")
    ask.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ask to join Tillsammans Hjällbo").click()
    page.wait_for_url(re.compile(r"organisation=tillsammans-hjallbo"))
    assert_accessible(page)
    page.get_by_label("Your role there").select_option("organiser")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(re.compile(r"/me/organisations/$"))
    assert "waiting for approval" in page.content()
    membership = member.memberships.get()
    assert membership.organisation.name == "Tillsammans Hjällbo" and membership.state == "requested"

    # Find an organisation in the Netherlands.
    page.get_by_role("link", name="Organisations").first.click()
    page.wait_for_url(re.compile(r"/organisations/$"))
    assert_accessible(page)
    page.get_by_label("Country").select_option("NL")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=NL"))
    assert_accessible(page)
    assert page.get_by_role("link", name="Gemeente Hellendoorn").is_visible()
    assert page.get_by_role("link", name="Digidem Lab").count() == 0
    page.get_by_role("link", name="Gemeente Hellendoorn").click()
    page.wait_for_url(re.compile(r"/organisations/gemeente-hellendoorn/$"))
    assert page.get_by_role("heading", level=1, name="Gemeente Hellendoorn").is_visible()
    assert_accessible(page)

    # Switch to Swedish: the same page, in Swedish.
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_url(re.compile(r"/sv/organisations/gemeente-hellendoorn/$"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("link", name="Organisationer").first.is_visible()
    assert "Nederländerna" in page.content()
    assert_accessible(page)


def test_account_and_network_pages_are_accessible(live_server, page):
    """allauth's pages in the site's layout, and the network pages not on the journey above."""
    seed_demo(stdout=io.StringIO())
    base = live_server.url
    for path in (
        "/accounts/login/",
        "/accounts/password/reset/",
        "/where/",
        "/sv/organisations/",
        "/nl/",
        "/nl/no-such-page/",
    ):
        page.goto(base + path)
        assert page.locator("header.site-header").count() == 1, path
        assert_accessible(page)

    # Password reset: the request, the "sent" page and the page the emailed link opens.
    page.goto(base + "/accounts/password/reset/")
    page.get_by_label("Email:").fill("funder@example.org")
    page.get_by_role("button", name=re.compile("Reset", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/done/$"))
    assert_accessible(page)
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body).group(0)
    page.goto(base + re.sub(r"^https?://[^/]+", "", link))
    assert page.locator("header.site-header").count() == 1
    assert_accessible(page)

    page.goto(base + "/accounts/login/")
    page.get_by_label("Email:").fill("organiser@example.org")
    page.get_by_label("Password:").fill("learninglab")
    page.get_by_role("button", name="Log in").click()
    # The demo organiser prefers Swedish (for emails), but the site stays in the language of
    # the page they logged in on.
    page.wait_for_url(re.compile(r"^" + re.escape(base) + r"/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    member = User.objects.get(email="organiser@example.org").member
    for path in (
        "/accounts/password/change/",
        "/accounts/email/",
        "/members/",
        f"/members/{member.pk}/",
        "/me/account/",
        "/me/account/delete/",
        "/me/profile/",
        "/sv/me/profile/",
        "/me/organisations/",
        "/organisations/requests/",
        "/evidence/dashboard/",  # not for organisers: the 403 page
    ):
        page.goto(base + path)
        assert page.locator("header.site-header").count() == 1, path
        assert_accessible(page)
