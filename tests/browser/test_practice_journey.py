"""An author writes a Dutch guide and submits it; a coordinator publishes it; the author adds an
English translation, which is published too; a visitor finds the guide with a Dutch search (an
inflected form) and switches to the English translation. axe-core runs on every page visited."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from network.models import Role
from practice.models import Guide
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.factories.network import OrganisationFactory, ThemeFactory, UserFactory
from tests.factories.practice import JointActionFactory, ParticipationFactory


def _page_as(browser, live_server, user):
    return signed_in_page(browser, live_server, user, base_url=live_server.url)


def _visit(page, path):
    page.goto(path)
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guide_from_draft_to_a_readers_dutch_search_and_its_translation(live_server, browser):
    # Rows made here (translated theme names) must be written in the default language, whatever
    # an earlier test left active in this thread.
    translation.activate("en")
    author = UserFactory(email="annelies@example.org", role=Role.ORGANISER, first_name="Annelies", last_name="Smit")
    coordinator = UserFactory(email="coordinator@example.org", role=Role.COORDINATOR)

    # The author writes a method in Dutch and submits it.
    writer = _page_as(browser, live_server, author)
    _visit(writer, "/practice/guides/new/")
    writer.get_by_role("link", name="Method").click()
    assert_accessible(writer)
    writer.get_by_label("Language").select_option("nl")
    writer.get_by_label("Title").fill("Samen leren in de gemeente")
    writer.get_by_label("Summary").fill("Bewoners en gemeente leren samen van elkaar.")
    writer.get_by_label("What it is").fill("Een groep bewoners uit de gemeente komt regelmatig samen.")
    writer.get_by_label("How it works").fill("## Stappen\n\n1. Kies een onderwerp\n2. Deel kennis")
    writer.get_by_role("button", name="Save draft").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Samen leren in de gemeente")
    assert_accessible(writer)
    writer.get_by_role("button", name="Submit for review").click()
    expect(writer.get_by_text("Submitted for review.")).to_be_visible()
    assert_accessible(writer)
    guide = Guide.objects.get(title="Samen leren in de gemeente")
    assert guide.status == Guide.Status.IN_REVIEW

    # A coordinator publishes it from the review queue.
    reviewer = _page_as(browser, live_server, coordinator)
    _visit(reviewer, "/practice/review/")
    item = reviewer.locator("li.card", has_text="Samen leren in de gemeente")
    item.get_by_role("button", name="Publish").click()
    expect(reviewer.get_by_text("Published.")).to_be_visible()
    assert_accessible(reviewer)
    guide.refresh_from_db()
    assert guide.status == Guide.Status.PUBLISHED

    # The author translates it into English and submits; the coordinator publishes the translation.
    _visit(writer, f"/practice/guides/{guide.slug}/")
    writer.get_by_role("link", name="Translate this guide").click()
    assert_accessible(writer)
    writer.get_by_label("Language").select_option("en")
    writer.get_by_label("Title").fill("Learning together in the municipality")
    writer.get_by_label("What it is").fill("A group of residents meets regularly.")
    writer.get_by_role("button", name="Save translation draft").click()
    writer.get_by_role("button", name="Submit for review").click()
    expect(writer.get_by_text("Submitted for review.")).to_be_visible()
    _visit(reviewer, "/practice/review/")
    reviewer.locator("li.card", has_text="Learning together in the municipality").get_by_role(
        "button", name="Publish"
    ).click()
    expect(reviewer.get_by_text("Published.")).to_be_visible()

    # A visitor searches in Dutch with a plural ("gemeenten") and finds the guide.
    visitor = browser.new_context(bypass_csp=True, locale="en-GB", base_url=live_server.url).new_page()
    _visit(visitor, "/")
    visitor.get_by_label("Search the site").fill("gemeenten")
    visitor.get_by_label("Search the site").press("Enter")
    expect(visitor).to_have_url(re.compile(r"/search/\?q=gemeenten"))
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Samen leren in de gemeente").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Samen leren in de gemeente")
    assert_accessible(visitor)
    visitor.get_by_role("navigation", name="Other languages").get_by_role("link", name="English").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Learning together in the municipality")
    assert_accessible(visitor)

    # The library (filtered to Dutch) and the joint actions are accessible too.
    _visit(visitor, "/practice/?language=nl&kind=method")
    expect(visitor.get_by_role("link", name="Samen leren in de gemeente")).to_be_visible()
    action = JointActionFactory(title="Warm homes across borders", issue=ThemeFactory(slug="climate-change"))
    ParticipationFactory(joint_action=action, organisation=OrganisationFactory(name="Navet i Bergsjön", country="SE"))
    _visit(visitor, "/practice/joint-actions/")
    visitor.get_by_role("link", name="Warm homes across borders").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Warm homes across borders")
    assert_accessible(visitor)
