"""The main daily journey in a real browser: find an exchange, sign up, get the email with
its calendar file, cancel; the first person waiting gets the place; a coordinator accepts
an applicant in the admin."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from icalendar import Calendar

from exchanges import services
from exchanges.models import Exchange, Registration
from network.models import Role
from tests.browser.conftest import assert_accessible, screenshots
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.network import UserFactory, member_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
State = Registration.State


def _login(browser, live_server, user):
    """A browser context signed in as ``user`` (session cookie made server-side)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_exchange_journey(browser, live_server):
    organiser = UserFactory(email="organiser@example.org", role=Role.ORGANISER)
    member_for(organiser, display_name="Olivia Organiser", time_zone="Europe/London")
    waiting = UserFactory(email="waiting@example.org", role=Role.ORGANISER)
    coordinator = UserFactory(email="coordinator@example.org", role=Role.COORDINATOR)
    visit = ExchangeFactory(
        title="Exchange visit: Navet i Bergsjön",
        slug="visit-navet",
        kind=Exchange.Kind.VISIT,
        format=Exchange.Format.IN_PERSON,
        country="SE",
        city="Göteborg",
        address="Rymdtorget 1, Bergsjön",
        working_languages=["sv", "en"],
        capacity=1,
    )
    ExchangeFactory(title="Lerende gemeenschap Hellendoorn", country="NL", working_languages=["nl"])
    ExchangeFactory(title="Swedish online exchange", country="SE", working_languages=["en"])

    # The organiser filters by country and language and signs up.
    page = _login(browser, live_server, organiser)
    page.goto(f"{live_server.url}/exchanges/")
    assert_accessible(page)
    page.select_option("#id_country", "SE")
    page.select_option("#id_language", "sv")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=SE"))
    assert page.get_by_role("link", name="Exchange visit: Navet i Bergsjön").is_visible()
    assert page.get_by_text("Lerende gemeenschap Hellendoorn").count() == 0
    assert page.get_by_text("Swedish online exchange").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Exchange visit: Navet i Bergsjön").click()
    assert page.get_by_text("1 of 1 place left").is_visible()
    assert page.get_by_text("Rymdtorget").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").click()
    assert_accessible(page)
    page.get_by_label("Access needs").fill("Step-free entrance")
    page.get_by_label("Show my name and organisation to other participants").check()
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("You are signed up").wait_for()
    assert page.get_by_text("Rymdtorget 1, Bergsjön").is_visible()
    assert_accessible(page)

    # The confirmation email arrived with a valid calendar file.
    confirmation = next(m for m in mail.outbox if m.to == [organiser.email])
    assert "You are signed up" in confirmation.subject
    filename, content, mimetype = confirmation.attachments[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == visit.title and "Rymdtorget" in str(event["LOCATION"])

    # Someone else joins the waitlist meanwhile.
    services.registration_create(exchange=visit, user=waiting, answers={"consent_show_name": True})
    assert Registration.objects.get(user=waiting).state == State.WAITLISTED

    # The organiser cancels: the first waitlisted member is offered the place at once.
    page.reload()
    # Cancelling asks first, saying the place goes to the next person waiting.
    page.get_by_role("link", name="Cancel my registration…").click()
    page.wait_for_url(re.compile(r"/exchanges/visit-navet/cancel/$"))
    assert page.get_by_text("People are waiting for a place").is_visible()
    assert_accessible(page)
    screenshots(page, "exchange-cancel-en")
    page.get_by_role("button", name="Cancel my registration").click()
    page.get_by_text("Your registration is cancelled.").wait_for()
    assert_accessible(page)
    assert any(m.to == [organiser.email] and "is cancelled, as you asked" in m.body for m in mail.outbox)
    offer = next(m for m in mail.outbox if m.to == [waiting.email] and "A place for you" in m.subject)
    link = re.search(r"https?://\S+/exchanges/visit-navet/offer/", offer.body).group(0)
    path = "/" + link.split("/", 3)[3]

    waiting_page = _login(browser, live_server, waiting)
    waiting_page.goto(live_server.url + path)
    assert_accessible(waiting_page)
    assert Registration.objects.get(user=waiting).state == State.OFFERED  # GET changed nothing
    waiting_page.get_by_role("button", name="Accept the place").click()
    waiting_page.get_by_text("The place is yours").wait_for()
    assert Registration.objects.get(user=waiting).state == State.CONFIRMED
    waiting_page.goto(f"{live_server.url}/exchanges/mine/")
    assert waiting_page.get_by_role("link", name="Exchange visit: Navet i Bergsjön").is_visible()
    assert_accessible(waiting_page)

    # A coordinator accepts an applicant in the admin.
    gathering = ExchangeFactory(
        title="European Learning Exchange", kind=Exchange.Kind.GATHERING, signup_mode=Exchange.SignupMode.APPLICATION
    )
    applicant = RegistrationFactory(exchange=gathering, state=State.APPLIED, hope_to_learn="Cross-border action")
    admin = _login(browser, live_server, coordinator)
    admin.goto(f"{live_server.url}/admin/exchanges/registration/?state__exact=applied")
    admin.check(f"input[name=_selected_action][value='{applicant.pk}']")
    admin.select_option("select[name=action]", "accept_applications")
    admin.click("button[name=index]")
    admin.get_by_text("1 applications accepted.").wait_for()
    applicant.refresh_from_db()
    assert applicant.state == State.ACCEPTED
    assert any(m.to == [applicant.user.email] and "You are accepted" in m.subject for m in mail.outbox)
