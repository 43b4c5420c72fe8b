"""Hosting in a real browser on a phone-wide screen: an organiser offers to host, a
coordinator approves in the admin, the organiser (now the manager) adds a question and a
session, a participant signs up answering the question, and the manager checks them in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exchanges import services
from exchanges.models import Exchange, HostOffer, Registration
from network.models import Role
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}}


def _fits(page) -> None:
    """Nothing wider than the phone's screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_offer_approve_manage_sign_up_and_check_in_on_a_phone(browser, live_server):
    host = UserFactory(email="host@example.org", role=Role.ORGANISER)
    member_for(host, display_name="Hana Host", time_zone="UTC")
    MembershipFactory(member=host.member, organisation=OrganisationFactory(name="Tillsammans Hjällbo"))
    coordinator = UserFactory(email="coordinator@example.org", role=Role.COORDINATOR)
    participant = UserFactory(email="participant@example.org", role=Role.ORGANISER)
    member_for(participant, display_name="Pia Participant", time_zone="UTC")

    # The organiser offers to host.
    page = signed_in_page(browser, live_server, host, **PHONE)
    page.goto(f"{live_server.url}/exchanges/host/")
    assert_accessible(page)
    _fits(page)
    page.get_by_label("Title").fill("Young leaders of Hjällbo")
    page.get_by_label("What you offer or propose").fill("A weekend of one-to-ones.")
    page.get_by_label("Swedish").check()
    page.locator("input[name=months]").nth(2).check()
    page.get_by_label("Format").select_option("in_person")
    page.get_by_label("How many visitors").fill("6")
    page.get_by_role("button", name="Send to the coordinators").click()
    expect(page.get_by_text("The coordinators will review it")).to_be_visible()
    assert_accessible(page)
    offer = HostOffer.objects.get()

    # A coordinator approves it in the admin.
    admin = signed_in_page(browser, live_server, coordinator)
    admin.goto(f"{live_server.url}/admin/exchanges/hostoffer/")
    admin.locator(f"input[name=_selected_action][value='{offer.pk}']").check()
    admin.locator("select[name=action]").select_option("approve")
    admin.locator("button[name=index]").click()
    expect(admin.get_by_text("1 offer approved.")).to_be_visible()
    offer.refresh_from_db()
    exchange = offer.exchange
    assert exchange.managers.get() == host.member

    # The manager adds a required yes/no question and a session.
    page.goto(f"{live_server.url}/exchanges/{exchange.slug}/manage/")
    expect(page.get_by_role("heading", name="Manage: Young leaders of Hjällbo")).to_be_visible()
    assert_accessible(page)
    _fits(page)
    page.get_by_role("link", name="Add a question").click()
    page.locator("#id_label").fill("Will you join the evening walk?")
    page.get_by_label("Kind").select_option("yes_no")
    page.get_by_label("Required").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The question is added to the sign-up form.")).to_be_visible()
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Title").fill("Walk through Hjällbo")
    start = timezone.localtime(exchange.starts_at)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The session is added to the programme.")).to_be_visible()

    # The coordinators set the date and publish it; a participant signs up, answering.
    services.exchange_update(
        exchange=exchange,
        status=Exchange.Status.PUBLISHED,
        time_zone="UTC",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=6),
    )
    visitor = signed_in_page(browser, live_server, participant, **PHONE)
    visitor.goto(f"{live_server.url}/exchanges/{exchange.slug}/register/")
    assert_accessible(visitor)
    # Required: the browser asks before sending (the server checks again, see test_questions).
    expect(visitor.get_by_label("yes")).to_have_attribute("required", "")
    visitor.get_by_label("yes").check()
    visitor.get_by_role("button", name="Sign up").click()
    expect(visitor.get_by_text("You are signed up.")).to_be_visible()
    registration = Registration.objects.get(user=participant)
    assert registration.answers.get().value == "yes"

    # On the day, the manager checks the participant in from the phone.
    Exchange.objects.filter(pk=exchange.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=5)
    )
    page.goto(f"{live_server.url}/exchanges/{exchange.slug}/manage/check-in/")
    assert_accessible(page)
    _fits(page)
    page.get_by_label("Name or email").fill("Pia")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Check in Pia Participant").click()
    expect(page.get_by_text("Pia Participant is checked in.")).to_be_visible()
    expect(page.get_by_text("1 of 1 participant checked in")).to_be_visible()
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.state == Registration.State.ATTENDED


def test_check_in_and_undo_on_a_phone_without_leaving_the_page(browser, live_server):
    """The check-in list's taps go by fetch: the row, the counts and the live region change,
    and the page is never loaded again (a marker set on the window survives). A refusal (before
    the exchange's day) is said in words, as is everything else that fails."""
    manager = UserFactory(email="door@example.org", role=Role.ORGANISER)
    member_for(manager, display_name="Dana Door", time_zone="UTC")
    organisation = OrganisationFactory(name="Tillsammans Hjällbo")
    MembershipFactory(member=manager.member, organisation=organisation)
    today = ExchangeFactory(
        title="Door day", starts_at=timezone.now() - timedelta(minutes=5), time_zone="UTC", capacity=None
    )
    later = ExchangeFactory(title="Next week", starts_at=timezone.now() + timedelta(days=7), time_zone="UTC")
    for exchange in (today, later):
        exchange.hosts.add(organisation)
        exchange.managers.add(manager.member)
    pia = RegistrationFactory(exchange=today, user=member_for(UserFactory(), display_name="Pia Participant").user)
    RegistrationFactory(exchange=today, user=member_for(UserFactory(), display_name="Quinn Quiet").user)

    page = signed_in_page(browser, live_server, manager, **PHONE)
    page.goto(f"{live_server.url}/exchanges/{today.slug}/manage/check-in/")
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_text("0 of 2 participants checked in")).to_be_visible()
    page.get_by_role("button", name="Check in Pia Participant").click()
    expect(page.get_by_role("status").filter(has_text="Pia Participant is checked in.")).to_be_visible()
    expect(page.get_by_role("button", name="Undo check-in of Pia Participant")).to_be_visible()
    expect(page.get_by_text("1 of 2 participants checked in")).to_be_visible()
    expect(page.locator(f"#registration-{pia.pk} .badge")).to_contain_text("checked in")
    assert page.evaluate("window.notReloaded === true")
    assert page.url.endswith("/manage/check-in/")
    pia.refresh_from_db()
    assert pia.state == Registration.State.ATTENDED
    assert_accessible(page)
    _fits(page)

    page.get_by_role("button", name="Undo check-in of Pia Participant").click()
    expect(page.get_by_text("Check-in undone for Pia Participant.")).to_be_visible()
    expect(page.get_by_role("button", name="Check in Pia Participant")).to_be_visible()
    expect(page.get_by_text("0 of 2 participants checked in")).to_be_visible()
    # The keyboard stays on the row: its new button has the focus.
    expect(page.get_by_role("button", name="Check in Pia Participant")).to_be_focused()
    assert page.evaluate("window.notReloaded === true")
    pia.refresh_from_db()
    assert pia.state == Registration.State.CONFIRMED and pia.checked_in_at is None

    # Before the day: refused, in words, and nothing else changes.
    early = RegistrationFactory(exchange=later, user=member_for(UserFactory(), display_name="Ola Early").user)
    page.goto(f"{live_server.url}/exchanges/{later.slug}/manage/check-in/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Check in Ola Early").click()
    expect(page.locator(".check-in-announce .message.error")).to_contain_text("Check-in opens on")
    expect(page.get_by_role("button", name="Check in Ola Early")).to_be_enabled()
    assert page.evaluate("window.notReloaded === true")
    assert_accessible(page)
    early.refresh_from_db()
    assert early.state == Registration.State.CONFIRMED
