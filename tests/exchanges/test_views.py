from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from exchanges import services
from exchanges.models import CalendarFeed, Exchange, Registration
from tests.conftest import ROLES
from tests.factories.exchanges import ExchangeFactory, ReflectionFactory, RegistrationFactory, SessionFactory
from tests.factories.network import OrganisationFactory, ThemeFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State


def _url(name, exchange, **kw):
    return reverse(f"exchanges:{name}", kwargs={"slug": exchange.slug, **kw})


# --- list -----------------------------------------------------------------------------------


def test_list_shows_upcoming_with_places_left_and_hides_drafts(client):
    open_one = ExchangeFactory(title="Housing organisers online", capacity=5)
    RegistrationFactory(exchange=open_one)
    ExchangeFactory(title="Secret draft", status=Exchange.Status.DRAFT)
    ExchangeFactory(title="Old one", starts_at=timezone.now() - timedelta(days=30))
    response = client.get(reverse("exchanges:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Housing organisers online" in body and "4 places left" in body
    assert "Secret draft" not in body and "Old one" not in body
    past = client.get(reverse("exchanges:index"), {"when": "past"}).content.decode()
    assert "Old one" in past and "Housing organisers online" not in past


def test_coordinator_sees_drafts_in_the_list(client_as):
    ExchangeFactory(title="Secret draft", status=Exchange.Status.DRAFT)
    assert "Secret draft" in client_as("coordinator").get(reverse("exchanges:index")).content.decode()
    for role in ("anonymous", "organiser", "funder"):
        assert "Secret draft" not in client_as(role).get(reverse("exchanges:index")).content.decode()


def test_list_filters_by_country_language_theme_kind_format_month_and_places(client):
    climate = ThemeFactory(slug="climate-change", name="Climate change")
    sweden = ExchangeFactory(
        title="Visit to Bergsjön",
        country="SE",
        working_languages=["sv", "en"],
        kind=Exchange.Kind.VISIT,
        format=Exchange.Format.IN_PERSON,
        starts_at=timezone.now() + timedelta(days=40),
    )
    sweden.themes.add(climate)
    full = ExchangeFactory(title="Full Dutch exchange", country="NL", working_languages=["nl"], capacity=1)
    RegistrationFactory(exchange=full)
    url = reverse("exchanges:index")

    def titles(**params):
        body = client.get(url, params).content.decode()
        return {t for t in ("Visit to Bergsjön", "Full Dutch exchange") if t in body}

    assert titles(country="SE") == {"Visit to Bergsjön"}
    assert titles(language="nl") == {"Full Dutch exchange"}
    assert titles(theme="climate-change") == {"Visit to Bergsjön"}
    assert titles(kind="exchange_visit") == {"Visit to Bergsjön"}
    assert titles(format="in_person") == {"Visit to Bergsjön"}
    assert titles(places="on") == {"Visit to Bergsjön"}
    month = timezone.localtime(sweden.starts_at).strftime("%Y-%m")
    assert titles(month=month) >= {"Visit to Bergsjön"}
    assert titles(month="2001-01") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"month": "13-2024"},
        {"month": "2024-13"},
        {"country": "XX"},
        {"theme": "nope\x00"},
        {"kind": "x" * 5000},
        {"language": "\x00"},
    ],
)
def test_list_survives_bad_input(client, params):
    ExchangeFactory()
    # A control character in the address gets the 400 page (core.http); other bad values are ignored.
    expected = 400 if "\x00" in "".join(params.values()) else 200
    assert client.get(reverse("exchanges:index"), params).status_code == expected


def test_list_paginates(client):
    for _ in range(25):
        ExchangeFactory()
    first = client.get(reverse("exchanges:index")).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get(reverse("exchanges:index"), {"page": 2}).content.decode()


@pytest.mark.parametrize("n", [5, 60])
def test_list_query_count_is_constant(client_as, django_assert_max_num_queries, n):
    theme = ThemeFactory()
    host = OrganisationFactory()
    for _ in range(n):
        exchange = ExchangeFactory()
        exchange.themes.add(theme)
        exchange.hosts.add(host)
        RegistrationFactory(exchange=exchange)
    client = client_as("organiser")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("exchanges:index"), {"country": "", "places": "on"}).status_code == 200


# --- detail ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_draft_page_and_ics_404_for_all_but_coordinators(client_as, role):
    draft = ExchangeFactory(status=Exchange.Status.DRAFT)
    client = client_as(role)
    expected = 200 if role == "coordinator" else 404
    assert client.get(_url("detail", draft)).status_code == expected
    assert client.get(_url("calendar", draft)).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_published_detail_visible_to_everyone(client_as, role):
    exchange = ExchangeFactory()
    assert client_as(role).get(_url("detail", exchange)).status_code == 200


def test_address_and_link_only_for_confirmed_participants(client, organiser, other_organiser, coordinator):
    exchange = ExchangeFactory(
        format=Exchange.Format.HYBRID, address="Secret street 5", online_link="https://meet.example.org/x"
    )
    RegistrationFactory(exchange=exchange, user=organiser)
    RegistrationFactory(exchange=exchange, user=other_organiser, state=State.WAITLISTED, waitlist_position=1)
    for user, visible in ((organiser, True), (other_organiser, False), (coordinator, True)):
        client.force_login(user)
        body = client.get(_url("detail", exchange)).content.decode()
        assert ("Secret street 5" in body) is visible
        assert ("meet.example.org/x" in body) is visible
    client.logout()
    assert "Secret street 5" not in client.get(_url("detail", exchange)).content.decode()


def test_detail_shows_waitlist_position_programme_hosts_and_consenting_participants(client, organiser):
    exchange = ExchangeFactory(capacity=1, kind=Exchange.Kind.GATHERING)
    host = OrganisationFactory(name="Navet i Bergsjön")
    exchange.hosts.add(host)
    SessionFactory(exchange=exchange, title="Power mapping workshop")
    shown = RegistrationFactory(exchange=exchange, consent_show_name=True)
    member_for(shown.user, display_name="Visible Person")
    RegistrationFactory(exchange=exchange, consent_show_name=False, state=State.WAITLISTED, waitlist_position=1)
    RegistrationFactory(exchange=exchange, user=organiser, state=State.WAITLISTED, waitlist_position=2)
    client.force_login(organiser)
    body = client.get(_url("detail", exchange)).content.decode()
    assert "You’re on the waitlist" in body and "You are number 2 in line" in body
    assert "Power mapping workshop" in body and "Navet i Bergsjön" in body
    assert "Visible Person" in body
    assert "Leave the waitlist" in body


def test_detail_shows_times_in_exchange_zone_and_viewer_zone(client, organiser):
    member_for(organiser, time_zone="Europe/London")
    exchange = ExchangeFactory(time_zone="Europe/Stockholm")
    client.force_login(organiser)
    body = client.get(_url("detail", exchange)).content.decode()
    assert "(Europe/Stockholm)" in body and "(Europe/London)" in body and "your time" in body
    member_for(organiser, time_zone="Europe/Stockholm")
    body = client.get(_url("detail", exchange)).content.decode()
    assert "(Europe/London)" not in body


def test_description_markdown_is_sanitised(client):
    exchange = ExchangeFactory(description="Hi <script>alert(1)</script> [x](javascript:alert(1))")
    body = client.get(_url("detail", exchange)).content.decode()
    assert "<script>alert(1)" not in body and "javascript:alert" not in body


@pytest.mark.parametrize("n", [5, 60])
def test_detail_query_count_is_constant(client_as, django_assert_max_num_queries, n):
    exchange = ExchangeFactory(capacity=100, kind=Exchange.Kind.GATHERING)
    for _i in range(n):
        RegistrationFactory(exchange=exchange)
    for _ in range(min(n, 10)):
        SessionFactory(exchange=exchange)
    exchange.hosts.add(OrganisationFactory())
    client = client_as("organiser")
    with django_assert_max_num_queries(12):
        assert client.get(_url("detail", exchange)).status_code == 200


def test_unknown_slug_is_404(client):
    assert client.get("/exchanges/does-not-exist/").status_code == 404


# --- sign-up and actions --------------------------------------------------------------------


def test_register_shows_questions_first_then_signs_up(client, organiser, django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(format=Exchange.Format.IN_PERSON, kind=Exchange.Kind.VISIT, interpretation=True)
    client.force_login(organiser)
    form = client.get(_url("register", exchange)).content.decode()
    for field in (
        "access_needs",
        "dietary_needs",
        "interpretation_needs",
        "travel_support_requested",
        "consent_show_name",
    ):
        assert f'name="{field}"' in form
    assert 'name="hope_to_learn"' not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("register", exchange),
            {
                "access_needs": "Step-free",
                "travel_support_requested": "on",
                "travel_cost_estimate": "250",
                "consent_show_name": "on",
            },
        )
    assert response.status_code == 302
    registration = Registration.objects.get(exchange=exchange, user=organiser)
    assert registration.state == State.CONFIRMED and registration.access_needs == "Step-free"
    assert registration.travel_cost_estimate == 250
    assert mail.outbox[-1].to == [organiser.email]


def test_travel_support_needs_an_estimate(client, organiser):
    exchange = ExchangeFactory(format=Exchange.Format.IN_PERSON)
    client.force_login(organiser)
    response = client.post(_url("register", exchange), {"travel_support_requested": "on"})
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_application_requires_hope_to_learn(client, organiser):
    exchange = ExchangeFactory(signup_mode=Exchange.SignupMode.APPLICATION)
    client.force_login(organiser)
    assert client.post(_url("register", exchange), {}).status_code == 400
    client.post(_url("register", exchange), {"hope_to_learn": "Campaign design", "will_bring": "Stories"})
    assert Registration.objects.get().state == State.APPLIED


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Exchange.Status.CANCELLED},
        {"registration_closes_at": timezone.now() - timedelta(hours=1)},
        {"starts_at": timezone.now() - timedelta(days=3), "ends_at": timezone.now() - timedelta(days=2)},
    ],
)
def test_register_when_closed_gives_a_message_and_changes_nothing(client, organiser, fields):
    exchange = ExchangeFactory(**fields)
    client.force_login(organiser)
    response = client.post(_url("register", exchange), {"consent_show_name": "on"}, follow=True)
    assert response.status_code == 200
    assert not Registration.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_register_draft_is_404(client, organiser):
    draft = ExchangeFactory(status=Exchange.Status.DRAFT)
    client.force_login(organiser)
    assert client.post(_url("register", draft), {}).status_code == 404
    assert not Registration.objects.exists()


def test_anonymous_is_sent_to_log_in_for_every_action(client):
    exchange = ExchangeFactory()
    for name in ("register", "cancel", "waitlist_leave", "offer_accept", "offer_decline"):
        response = client.post(_url(name, exchange))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Registration.objects.exists()


def test_get_never_changes_state(client, organiser):
    exchange = ExchangeFactory()
    registration = RegistrationFactory(
        exchange=exchange, user=organiser, state=State.OFFERED, offer_expires_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(organiser)
    for name in ("waitlist_leave", "offer_accept", "offer_decline"):
        assert client.get(_url(name, exchange)).status_code == 405
    page = client.get(_url("offer", exchange))
    assert page.status_code == 200 and b"Accept the place" in page.content
    # Cancelling asks first: the GET only shows what it would do.
    page = client.get(_url("cancel", exchange))
    assert page.status_code == 200 and b"Keep my place" in page.content
    registration.refresh_from_db()
    assert registration.state == State.OFFERED


def test_csrf_is_enforced(organiser):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(organiser)
    exchange = ExchangeFactory()
    assert csrf_client.post(_url("register", exchange), {"consent_show_name": "on"}).status_code == 403


def test_cancel_frees_the_place_for_the_first_waitlisted(client, organiser, other_organiser):
    exchange = ExchangeFactory(capacity=1)
    RegistrationFactory(exchange=exchange, user=organiser)
    waiting = RegistrationFactory(exchange=exchange, user=other_organiser, state=State.WAITLISTED, waitlist_position=1)
    client.force_login(organiser)
    assert client.post(_url("cancel", exchange)).status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
    client.force_login(other_organiser)
    client.post(_url("offer_accept", exchange))
    waiting.refresh_from_db()
    assert waiting.state == State.CONFIRMED


def test_actions_on_someone_elses_registration_are_impossible(client, organiser, other_organiser):
    exchange = ExchangeFactory()
    theirs = RegistrationFactory(exchange=exchange, user=other_organiser)
    client.force_login(organiser)
    # Only one's own registration is ever looked up: without one, 404.
    assert client.post(_url("cancel", exchange), {"registration": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == State.CONFIRMED


def test_offer_decline_and_leave_waitlist_views(client, organiser):
    exchange = ExchangeFactory(capacity=1)
    RegistrationFactory(exchange=exchange)
    mine = RegistrationFactory(exchange=exchange, user=organiser, state=State.WAITLISTED, waitlist_position=1)
    client.force_login(organiser)
    client.post(_url("waitlist_leave", exchange))
    mine.refresh_from_db()
    assert mine.state == State.CANCELLED
    response = client.post(_url("offer_decline", exchange), follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_funder_cannot_join_members_only_exchange(client, funder):
    exchange = ExchangeFactory(audience=Exchange.Audience.MEMBERS)
    client.force_login(funder)
    client.post(_url("register", exchange), {"consent_show_name": "on"})
    assert not Registration.objects.exists()


def test_busy_exchange_gives_a_friendly_message(client, organiser, monkeypatch):
    exchange = ExchangeFactory()

    def busy(**kwargs):
        raise services.ExchangeBusy

    monkeypatch.setattr(services, "registration_create", busy)
    client.force_login(organiser)
    response = client.post(_url("register", exchange), {"consent_show_name": "on"}, follow=True)
    assert response.status_code == 200
    assert "try again" in response.content.decode()


# --- my exchanges, reflections, calendars ---------------------------------------------------


def test_my_exchanges_groups_registrations(client, organiser):
    upcoming = RegistrationFactory(user=organiser, exchange=ExchangeFactory(title="Upcoming one"))
    RegistrationFactory(exchange=ExchangeFactory(capacity=1, title="Full one"))
    full = Exchange.objects.get(title="Full one")
    RegistrationFactory(user=organiser, exchange=full, state=State.WAITLISTED, waitlist_position=3)
    RegistrationFactory(user=organiser, state=State.APPLIED, exchange=ExchangeFactory(title="Applied one"))
    RegistrationFactory(
        user=organiser, exchange=ExchangeFactory(title="Past one", starts_at=timezone.now() - timedelta(days=3))
    )
    client.force_login(organiser)
    body = client.get(reverse("exchanges:mine")).content.decode()
    for title in ("Upcoming one", "Full one", "Applied one", "Past one", "Write your reflection", "number 1"):
        assert title in body
    assert upcoming.exchange.title in body


def test_my_exchanges_requires_login(client):
    assert client.get(reverse("exchanges:mine")).status_code == 302


def test_reflection_form_after_the_exchange(client, organiser):
    past = ExchangeFactory(starts_at=timezone.now() - timedelta(days=2))
    registration = RegistrationFactory(exchange=past, user=organiser)
    client.force_login(organiser)
    assert client.get(_url("reflection", past)).status_code == 200
    assert client.post(_url("reflection", past), {"learned": "x", "rating": "9"}).status_code == 400
    assert client.post(_url("reflection", past), {"learned": "\x00", "rating": "4"}).status_code == 400
    response = client.post(
        _url("reflection", past),
        {"learned": "Listening first", "will_try": "House meetings", "stay_in_touch": "Agera Göteborg", "rating": "5"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.reflection.rating == 5


def test_reflection_refused_before_the_exchange_and_for_others(client, organiser, other_organiser):
    upcoming = ExchangeFactory()
    RegistrationFactory(exchange=upcoming, user=organiser)
    client.force_login(organiser)
    client.post(_url("reflection", upcoming), {"learned": "x", "rating": "3"})
    client.force_login(other_organiser)
    assert client.post(_url("reflection", upcoming), {"learned": "x", "rating": "3"}).status_code == 404
    from exchanges.models import Reflection

    assert not Reflection.objects.exists()


def test_reflection_existing_is_editable(client, organiser):
    past = ExchangeFactory(starts_at=timezone.now() - timedelta(days=2))
    reflection = ReflectionFactory(registration=RegistrationFactory(exchange=past, user=organiser))
    client.force_login(organiser)
    assert reflection.learned in client.get(_url("reflection", past)).content.decode()


def test_public_calendar_is_valid_and_hides_the_address(client):
    exchange = ExchangeFactory(
        format=Exchange.Format.IN_PERSON, city="Göteborg", country="SE", address="Secret street 5"
    )
    response = client.get(_url("calendar", exchange))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    event = cal.walk("VEVENT")[0]
    for prop in ("UID", "DTSTAMP", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "LOCATION"):
        assert prop in event
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"
    assert "Göteborg" in str(event["LOCATION"]) and "Secret" not in str(event["LOCATION"])
    uid = str(event["UID"])
    services.exchange_update(exchange=exchange, city="Malmö")
    event2 = Calendar.from_ical(client.get(_url("calendar", exchange)).content).walk("VEVENT")[0]
    assert str(event2["UID"]) == uid and event2["SEQUENCE"] == 1


def test_cancelled_exchange_calendar_says_cancelled(client):
    exchange = ExchangeFactory(status=Exchange.Status.CANCELLED)
    event = Calendar.from_ical(client.get(_url("calendar", exchange)).content).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"


def test_private_feed_lists_confirmed_exchanges_and_can_be_revoked(client, organiser):
    mine = RegistrationFactory(user=organiser, exchange=ExchangeFactory(title="Mine confirmed"))
    RegistrationFactory(
        user=organiser, state=State.WAITLISTED, waitlist_position=1, exchange=ExchangeFactory(title="Only waiting")
    )
    RegistrationFactory(exchange=ExchangeFactory(title="Someone else's"))
    client.force_login(organiser)
    client.post(reverse("exchanges:feed_create"))
    feed = CalendarFeed.objects.get(user=organiser)
    client.logout()
    response = client.get(reverse("exchanges:feed", kwargs={"token": feed.token}))
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert summaries == {mine.exchange.title}
    client.force_login(organiser)
    client.post(reverse("exchanges:feed_revoke"))
    client.logout()
    assert client.get(reverse("exchanges:feed", kwargs={"token": feed.token})).status_code == 404
    assert client.get(reverse("exchanges:feed", kwargs={"token": "a" * 43})).status_code == 404
    assert client.get("/exchanges/feed/guess.ics").status_code == 404


def test_home_block_lists_upcoming_exchanges(client, django_assert_max_num_queries):
    for i in range(5):
        ExchangeFactory(title=f"Home exchange {i}")
    response = client.get("/")
    assert "Home exchange 0" in response.content.decode()


def test_other_user_cannot_see_my_exchanges_content(client, organiser, other_organiser):
    RegistrationFactory(user=organiser, exchange=ExchangeFactory(title="Private plan"))
    client.force_login(other_organiser)
    assert "Private plan" not in client.get(reverse("exchanges:mine")).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"access_needs": "bad\x00text"},
        {"access_needs": "x" * 5000},
        {"travel_support_requested": "on", "travel_cost_estimate": "-5"},
        {"travel_support_requested": "on", "travel_cost_estimate": "lots"},
        {"travel_support_requested": "on", "travel_cost_estimate": "1e400"},
    ],
)
def test_register_rejects_bad_answers_without_a_500(client, organiser, data):
    exchange = ExchangeFactory(format=Exchange.Format.IN_PERSON)
    client.force_login(organiser)
    assert client.post(_url("register", exchange), data).status_code == 400
    assert not Registration.objects.exists()


@pytest.mark.parametrize("path", ["/exchanges/%00/", "/exchanges/x/calendar.ics?x=%00", "/exchanges/feed/%00.ics"])
def test_odd_paths_are_400_not_500(client, path):
    # A NUL in the address gets the 400 page (core.http) before any view runs.
    assert client.get(path).status_code == 400


# Expected status per role for every page, on a published exchange nobody has joined.
CAST = {
    #                 anonymous organiser other_organiser coordinator funder
    "index": (200, 200, 200, 200, 200),
    "detail": (200, 200, 200, 200, 200),
    "calendar": (200, 200, 200, 200, 200),
    "register": (302, 200, 200, 200, 302),  # funders: members-only exchange → back to the page
    "mine": (302, 200, 200, 200, 200),
    "offer": (302, 404, 404, 404, 404),  # no registration → nothing to answer
    "reflection": (302, 404, 404, 404, 404),
}


@pytest.mark.parametrize("page", list(CAST))
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_permission_cast_on_every_page(client_as, page, role_index, role):
    exchange = ExchangeFactory(slug="cast-exchange")
    client = client_as(role)
    if page in ("index", "mine"):
        url = reverse(f"exchanges:{page}")
    else:
        url = _url(page, exchange)
    assert client.get(url).status_code == CAST[page][role_index]


@pytest.mark.parametrize("role", ROLES)
def test_only_my_own_registration_shows_on_my_pages(client_as, role, organiser):
    exchange = ExchangeFactory()
    RegistrationFactory(
        exchange=exchange, user=organiser, state=State.OFFERED, offer_expires_at=timezone.now() + timedelta(days=1)
    )
    client = client_as(role)
    response = client.get(_url("offer", exchange))
    expected = {"anonymous": 302, "organiser": 200}.get(role, 404)
    assert response.status_code == expected


def test_cancelling_asks_first_then_frees_the_place_and_confirms_by_email(
    client, organiser, django_capture_on_commit_callbacks
):
    """Before: one unconfirmed click, styled as the main action, gave the place away for good and
    sent no email."""
    exchange = ExchangeFactory(capacity=1)
    RegistrationFactory(exchange=exchange, user=organiser, state=State.CONFIRMED)
    waiting = RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=1)
    client.force_login(organiser)
    detail = client.get(exchange.get_absolute_url()).content.decode()
    # On the exchange page: a link to the question, not a form that cancels.
    assert f'href="{_url("cancel", exchange)}"' in detail
    assert f'action="{_url("cancel", exchange)}"' not in detail
    question = client.get(_url("cancel", exchange)).content.decode()
    assert "People are waiting for a place" in question and "Keep my place" in question
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("cancel", exchange))
    assert response.status_code == 302
    assert Registration.objects.get(exchange=exchange, user=organiser).state == State.CANCELLED
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
    mine = [m for m in mail.outbox if m.to == [organiser.email]]
    assert len(mine) == 1 and "is cancelled, as you asked" in mine[0].body
    assert exchange.title in mine[0].subject
