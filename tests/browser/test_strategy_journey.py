"""An organiser reads the draft strategy in Swedish, comments and proposes an amendment; another
member supports it; a coordinator accepts it and publishes the new version; the proposer is
emailed in Swedish; the diff shows the change. axe-core runs on every page visited."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from network.models import Role
from outbox.models import OutboxMessage
from strategy.models import Amendment, Comment, Support, Version
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.factories.network import UserFactory, member_for
from tests.factories.strategy import strategy_make


def _page_as(browser, live_server, user):
    return signed_in_page(browser, live_server, user, base_url=live_server.url)


def _visit(page, path):
    page.goto(path)
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_swedish_amendment_from_proposal_to_a_published_version_and_its_diff(live_server, browser):
    translation.activate("en")
    coordinator = UserFactory(email="coordinator@example.org", role=Role.COORDINATOR)
    hodan = UserFactory(email="hodan@example.org", role=Role.ORGANISER)
    member_for(hodan, display_name="Hodan Ali", preferred_language="sv")
    olivia = UserFactory(email="olivia@example.org", role=Role.ORGANISER)
    member_for(olivia, display_name="Olivia Grant", preferred_language="en")
    document, _v1, v2, _round = strategy_make(slug="sustaining", coordinator=coordinator)
    path = f"/strategy/{document.slug}/"

    # The organiser reads the draft in Swedish, comments and proposes new text.
    reader = _page_as(browser, live_server, hodan)
    _visit(reader, "/sv" + path)
    section = reader.locator("#section-sustained")
    expect(section.locator(".prose")).to_contain_text("Medlemmar betalar en liten avgift.")
    # The forms are drawn only for the section the member asks for (one link each otherwise).
    section.get_by_role("link", name="Kommentera det här avsnittet").click()
    section = reader.locator("#section-sustained")
    section.locator("form[action$='/comments/'] textarea").fill("Avgiften stänger ute små grupper.")
    section.locator("form[action$='/comments/'] button[type=submit]").click()
    expect(reader.locator(".comment", has_text="Avgiften stänger ute små grupper.")).to_be_visible()
    assert_accessible(reader)
    section = reader.locator("#section-sustained")
    section.get_by_role("link", name="Föreslå ny text för det här avsnittet").click()
    section = reader.locator("#section-sustained")
    section.locator("form[action$='/amendments/'] textarea").first.fill("Medlemmar betalar en avgift efter förmåga.")
    section.locator("form[action$='/amendments/'] button[type=submit]").click()
    amendment_box = reader.locator(".amendment", has_text="efter förmåga")
    expect(amendment_box.locator("ins", has_text="efter förmåga")).to_be_visible()
    expect(amendment_box.locator("del", has_text="liten")).to_be_visible()
    assert_accessible(reader)
    assert Comment.objects.count() == 1 and Amendment.objects.count() == 1
    amendment = Amendment.objects.get()
    assert amendment.language == "sv"

    # Another member supports it.
    supporter = _page_as(browser, live_server, olivia)
    _visit(supporter, path)
    box = supporter.locator(f"#amendment-{amendment.pk}")
    box.get_by_role("button", name="Support").click()
    expect(supporter.locator(f"#amendment-{amendment.pk}")).to_contain_text("1 supporter")
    assert_accessible(supporter)
    assert Support.objects.filter(amendment=amendment, user=olivia).exists()

    # The coordinator accepts it, in English, into the draft, and publishes the draft.
    decider = _page_as(browser, live_server, coordinator)
    _visit(decider, path)
    decider.locator(f"#amendment-{amendment.pk}").get_by_role("link", name="Accept").click()
    assert_accessible(decider)
    decider.get_by_label("Text that enters the next version").fill("Members pay a fee they can afford.")
    decider.get_by_role("button", name="Accept into the draft").click()
    expect(decider.get_by_text("The amendment is accepted")).to_be_visible()
    decider.goto("/admin/strategy/version/")
    decider.locator(f"input[name=_selected_action][value='{v2.pk}']").check()
    decider.locator("select[name=action]").select_option("publish")
    decider.locator("button[name=index]").click()
    v2.refresh_from_db()
    assert v2.status == Version.Status.PUBLISHED

    # The proposer is told, in Swedish.
    email = OutboxMessage.objects.get(kind="strategy_amendment_accepted")
    assert email.to == hodan.email and email.language == "sv"

    # The diff between the versions shows the change, and credits the proposer.
    _visit(decider, f"/strategy/{document.slug}/diff/1/2/")
    changed = decider.locator("#diff-sustained").locator("xpath=..")
    expect(changed.locator("ins", has_text="afford")).to_be_visible()
    expect(changed.locator("del", has_text="small")).to_be_visible()
    _visit(decider, f"/strategy/{document.slug}/versions/2/")
    expect(decider.get_by_text("proposed by Hodan Ali")).to_be_visible()
