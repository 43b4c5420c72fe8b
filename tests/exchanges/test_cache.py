"""The exchange pages' cached fragments (``core.cache``) never show stale or foreign
content: every change shows on the very next load, drafts stay with coordinators, and what
belongs to one viewer is never served to another."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exchanges import services
from exchanges.models import Exchange, Registration
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory, SessionFactory
from tests.factories.network import OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State
LIST = "/exchanges/"


def _get(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _detail(exchange) -> str:
    return reverse("exchanges:detail", kwargs={"slug": exchange.slug})


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signup(exchange, **fields):
    return services.registration_create(exchange=exchange, user=UserFactory(), answers=fields).registration


def test_the_list_and_detail_are_served_from_the_cache():
    exchange = ExchangeFactory(capacity=5)
    client = Client()
    _get(client, LIST)
    _get(client, _detail(exchange))
    # Warm: nothing about the exchange is read again beyond the row itself.
    with CaptureQueriesContext(connection) as list_queries:
        _get(client, LIST)
    with CaptureQueriesContext(connection) as detail_queries:
        _get(client, _detail(exchange))
    assert len(list_queries) == 0
    assert len(detail_queries) == 1


def test_a_sign_up_shows_on_the_next_list_and_detail_load():
    exchange = ExchangeFactory(title="Tenants organising online", capacity=5)
    client = Client()
    assert "5 places left" in _get(client, LIST)
    assert "5 places left" in _get(client, _detail(exchange))
    _signup(exchange)
    assert "4 places left" in _get(client, LIST)
    assert "4 places left" in _get(client, _detail(exchange))


def test_a_cancellation_shows_on_the_next_load_and_the_offer_takes_the_place():
    exchange = ExchangeFactory(capacity=1)
    first = _signup(exchange)
    waiting = _signup(exchange)
    assert waiting.state == State.WAITLISTED
    client = Client()
    assert "Full – waitlist open" in _get(client, LIST)
    member = _logged_in(UserFactory())
    assert "1 on the waitlist" in _get(member, _detail(exchange))
    services.registration_cancel(registration=first)
    # The place went to the waitlisted member as an offer: still full, nobody waiting.
    body = _get(member, _detail(exchange))
    assert "Full – waitlist open" in body and "1 on the waitlist" not in body
    services.offer_decline(registration=Registration.objects.get(pk=waiting.pk))
    assert "1 place left" in _get(client, LIST)
    assert "1 place left" in _get(member, _detail(exchange))


def test_expired_offers_freed_by_a_bulk_update_show_on_the_next_load():
    exchange = ExchangeFactory(capacity=1)
    first = _signup(exchange)
    waiting = _signup(exchange)
    services.registration_cancel(registration=first)
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
    client = Client()
    assert "Full" in _get(client, LIST)
    services.offers_expire(now=waiting.offer_expires_at + timedelta(seconds=1))
    assert "1 place left" in _get(client, LIST)


def test_attendance_marked_in_bulk_invalidates_the_pages():
    exchange = ExchangeFactory(capacity=3, starts_at=timezone.now() - timedelta(hours=3))
    registration = RegistrationFactory(exchange=exchange)
    client = _logged_in(UserFactory())
    _get(client, _detail(exchange))
    before = cache.get("exchanges:version")
    services.attendance_mark(registrations=[registration], attended=True)
    assert cache.get("exchanges:version") != before


def test_a_capacity_change_shows_on_the_next_load():
    exchange = ExchangeFactory(capacity=5)
    client = Client()
    assert "5 places left" in _get(client, LIST)
    services.exchange_update(exchange=exchange, capacity=8)
    assert "8 places left" in _get(client, LIST)
    assert "8 places left" in _get(client, _detail(exchange))


def test_publishing_and_cancelling_show_on_the_next_load(client_as):
    draft = ExchangeFactory(title="Gathering in Malmö", status=Exchange.Status.DRAFT)
    anonymous, member = Client(), client_as("organiser")
    assert "Gathering in Malmö" not in _get(anonymous, LIST)
    assert "Gathering in Malmö" not in _get(member, LIST)
    services.exchange_publish(exchange=draft)
    assert "Gathering in Malmö" in _get(anonymous, LIST)
    assert "Gathering in Malmö" in _get(member, LIST)
    assert "This exchange has been cancelled." not in _get(anonymous, _detail(draft))
    services.exchange_cancel(exchange=Exchange.objects.get(pk=draft.pk))
    assert "This exchange has been cancelled." in _get(anonymous, _detail(draft))
    assert 'badge warn">cancelled' in _get(anonymous, LIST)


@pytest.mark.parametrize("role", ["anonymous", "organiser", "funder"])
def test_a_draft_seen_by_a_coordinator_never_reaches_anyone_else(client_as, role):
    draft = ExchangeFactory(title="Secret convening", status=Exchange.Status.DRAFT)
    ExchangeFactory(title="Public exchange")
    coordinator = client_as("coordinator")
    # The coordinator warms every variant first, with and without filters.
    for params in ({}, {"kind": "online_exchange"}, {"page": "1"}):
        assert "Secret convening" in _get(coordinator, LIST, **params)
    assert "Draft: only coordinators see this page." in _get(coordinator, _detail(draft))
    other = client_as(role)
    for params in ({}, {"kind": "online_exchange"}, {"page": "1"}):
        body = _get(other, LIST, **params)
        assert "Public exchange" in body and "Secret convening" not in body
    assert other.get(_detail(draft)).status_code == 404


def test_a_members_own_state_is_never_served_to_another_member():
    exchange = ExchangeFactory(capacity=1, online_link="https://meet.example.org/secret-room")
    confirmed_user, waiting_user, other_user = UserFactory(), UserFactory(), UserFactory()
    services.registration_create(exchange=exchange, user=confirmed_user)
    services.registration_create(exchange=exchange, user=waiting_user)
    confirmed, waiting, other = _logged_in(confirmed_user), _logged_in(waiting_user), _logged_in(other_user)

    # The list: each member sees only their own badge.
    assert "You: confirmed" in _get(confirmed, LIST)
    assert "You: waitlisted" in _get(waiting, LIST)
    body = _get(other, LIST)
    assert "You: " not in body and "own-state" not in body
    assert "You: " not in _get(Client(), LIST)

    # The detail: the participant's link, actions and token stay theirs.
    mine = _get(confirmed, _detail(exchange))
    assert "https://meet.example.org/secret-room" in mine and "Cancel my registration" in mine
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', mine).group(1)
    waiting_page = _get(waiting, _detail(exchange))
    assert "You are number 1 in line" in waiting_page and "Leave the waitlist" in waiting_page
    for body in (waiting_page, _get(other, _detail(exchange)), _get(Client(), _detail(exchange))):
        assert "https://meet.example.org/secret-room" not in body
        assert "Cancel my registration" not in body
        assert token not in body
    other_page = _get(other, _detail(exchange))
    assert "on the waitlist" in other_page and "You are number" not in other_page
    assert "Join the waitlist" in other_page


def test_who_is_going_is_for_members_only_even_when_cached():
    exchange = ExchangeFactory()
    registration = RegistrationFactory(exchange=exchange, consent_show_name=True)
    member_for(registration.user, display_name="Amina Lindqvist")
    member = _logged_in(UserFactory())
    assert "Amina Lindqvist" in _get(member, _detail(exchange))
    assert "Amina Lindqvist" not in _get(Client(), _detail(exchange))


def test_renaming_a_host_or_a_facilitator_shows_on_the_next_load():
    exchange = ExchangeFactory(kind=Exchange.Kind.GATHERING)
    host = OrganisationFactory(name="Bergsjön Tenants")
    exchange.hosts.add(host)
    session = SessionFactory(exchange=exchange, title="Opening circle")
    client = Client()
    assert "Bergsjön Tenants" in _get(client, LIST)
    assert "Opening circle" in _get(client, _detail(exchange))
    host.name = "Bergsjön Tenants' Union"
    host.save()
    session.title = "Welcome circle"
    session.save()
    assert "Bergsjön Tenants&#x27; Union" in _get(client, LIST)
    assert "Welcome circle" in _get(client, _detail(exchange))
    exchange.hosts.remove(host)
    assert "Bergsjön Tenants" not in _get(client, LIST)


def test_each_viewer_sees_times_in_their_own_zone():
    exchange = ExchangeFactory(time_zone="Europe/Stockholm")
    lisbon = UserFactory()
    member_for(lisbon, time_zone="Europe/Lisbon")
    stockholm = UserFactory()
    member_for(stockholm, time_zone="Europe/Stockholm")
    assert "Europe/Lisbon" in _get(_logged_in(lisbon), LIST)
    assert "Europe/Lisbon" not in _get(_logged_in(stockholm), LIST)
    assert "Europe/Lisbon" in _get(_logged_in(lisbon), _detail(exchange))
    assert "Europe/Lisbon" not in _get(_logged_in(stockholm), _detail(exchange))


def test_an_exchange_that_ends_moves_to_the_past_on_the_next_load():
    now = timezone.now()
    ExchangeFactory(title="Ending right now", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(seconds=1))
    client = Client()
    assert "Ending right now" in _get(client, LIST)
    assert "Ending right now" not in _get(client, LIST, when="past")
    time.sleep(1.2)
    assert "Ending right now" not in _get(client, LIST)
    assert "Ending right now" in _get(client, LIST, when="past")


def test_a_new_country_shows_in_the_filter_on_the_next_load():
    ExchangeFactory(country="SE")
    client = Client()
    assert '<option value="PT">' not in _get(client, LIST)
    ExchangeFactory(country="PT")
    assert '<option value="PT">' in _get(client, LIST)


# --- what belongs to one viewer is drawn around the shared fragments -------------------------


def _cards(html: str) -> dict[str, str]:
    """Each card of the list by its title."""
    cards = {}
    for card in re.split(r'<article class="card[^"]*">', html)[1:]:
        title = re.search(r"<h3[^>]*><a [^>]*>([^<]+)</a></h3>", card).group(1)
        cards[title] = card.split("</article>", 1)[0]
    return cards


def test_each_card_carries_its_own_viewers_state_and_no_other():
    going = ExchangeFactory(title="Going there", capacity=5)
    waiting = ExchangeFactory(title="Waiting there", capacity=1)
    ExchangeFactory(title="Not signed up")
    user = UserFactory()
    services.registration_create(exchange=going, user=user)
    _signup(waiting)
    services.registration_create(exchange=waiting, user=user)
    # Someone else fills the shared fragment first.
    assert "You: " not in _get(_logged_in(UserFactory()), LIST)
    cards = _cards(_get(_logged_in(user), LIST))
    assert "You: confirmed" in cards["Going there"]
    assert "You: waitlisted" in cards["Waiting there"]
    assert "You: " not in cards["Not signed up"]


def test_a_sign_up_shows_the_own_state_on_the_next_list_load_of_that_member_only():
    exchange = ExchangeFactory(title="Cooking together", capacity=5)
    user, other = UserFactory(), UserFactory()
    assert "You: " not in _get(_logged_in(user), LIST)
    services.registration_create(exchange=exchange, user=user)
    assert "You: confirmed" in _cards(_get(_logged_in(user), LIST))["Cooking together"]
    assert "You: " not in _get(_logged_in(other), LIST)


@pytest.mark.parametrize("first", ["coordinator", "participant"])
def test_the_address_and_link_are_drawn_live_for_whom_the_policy_says(client_as, coordinator, first):
    exchange = ExchangeFactory(
        format=Exchange.Format.HYBRID, address="Hjällbovägen 12", online_link="https://meet.example.org/room-7"
    )
    participant, member = UserFactory(), UserFactory()
    services.registration_create(exchange=exchange, user=participant)
    # Whoever may see the private details loads the page first: the shared fragments are warm.
    warm = _logged_in(coordinator if first == "coordinator" else participant)
    assert "Hjällbovägen 12" in _get(warm, _detail(exchange))
    for client, sees in (
        (_logged_in(participant), True),
        (_logged_in(coordinator), True),
        (_logged_in(member), False),
        (_logged_in(UserFactory(role="funder")), False),
        (Client(), False),
    ):
        body = _get(client, _detail(exchange))
        assert ("Hjällbovägen 12" in body) is sees
        assert ("https://meet.example.org/room-7" in body) is sees
        assert ("Shown to confirmed participants." in body) is not sees


def test_the_private_details_follow_the_members_own_registration_at_once():
    exchange = ExchangeFactory(format=Exchange.Format.ONLINE, online_link="https://meet.example.org/room-9", capacity=5)
    user = UserFactory()
    client = _logged_in(user)
    assert "room-9" not in _get(client, _detail(exchange))
    registration = services.registration_create(exchange=exchange, user=user).registration
    assert "room-9" in _get(client, _detail(exchange))
    services.registration_cancel(registration=registration)
    assert "room-9" not in _get(client, _detail(exchange))


# --- every change to state or visibility shows on the second load ----------------------------


def test_an_exchange_cancelled_in_the_admin_shows_as_cancelled_on_the_next_load(client_as, coordinator):
    exchange = ExchangeFactory(title="Spring gathering")
    anonymous = Client()
    assert "cancelled" not in _cards(_get(anonymous, LIST))["Spring gathering"]
    assert "This exchange has been cancelled." not in _get(anonymous, _detail(exchange))
    admin = _logged_in(coordinator)
    admin.post(
        reverse("admin:exchanges_exchange_changelist"),
        {"action": "cancel_exchanges", "_selected_action": [exchange.pk]},
    )
    assert Exchange.objects.get(pk=exchange.pk).status == Exchange.Status.CANCELLED
    assert 'badge warn">cancelled' in _cards(_get(anonymous, LIST))["Spring gathering"]
    assert "This exchange has been cancelled." in _get(anonymous, _detail(exchange))


def test_an_exchange_taken_back_to_draft_leaves_every_shared_page_at_once():
    exchange = ExchangeFactory(title="Pilot visit")
    anonymous, member = Client(), _logged_in(UserFactory())
    assert "Pilot visit" in _get(anonymous, LIST) and "Pilot visit" in _get(member, LIST)
    exchange.status = Exchange.Status.DRAFT
    exchange.save()
    assert "Pilot visit" not in _get(anonymous, LIST) and "Pilot visit" not in _get(member, LIST)
    assert anonymous.get(_detail(exchange)).status_code == 404


def test_an_approved_membership_shows_beside_the_name_on_the_next_load(coordinator):
    from network import services as network_services
    from tests.factories.network import MembershipFactory

    exchange = ExchangeFactory()
    registration = RegistrationFactory(exchange=exchange, consent_show_name=True)
    member_for(registration.user, display_name="Amina Lindqvist")
    organisation = OrganisationFactory(name="Hyresgästföreningen Hjällbo")
    request = MembershipFactory(
        member=registration.user.member, organisation=organisation, state="requested", role="member"
    )
    viewer = _logged_in(UserFactory())
    page = _get(viewer, _detail(exchange))
    assert "Amina Lindqvist" in page and "Hyresgästföreningen Hjällbo" not in page
    network_services.membership_approve(membership=request, by=coordinator)
    assert re.search(
        r"Amina Lindqvist <span class=\"meta\">– Hyresgästföreningen Hjällbo<", _get(viewer, _detail(exchange))
    )


def test_a_hidden_profile_is_no_longer_named_as_facilitator_on_the_next_load():
    exchange = ExchangeFactory()
    session = SessionFactory(exchange=exchange, title="Opening circle")
    facilitator = member_for(UserFactory(), display_name="Pieter de Vries", visibility="public")
    session.facilitators.add(facilitator)
    anonymous, member = Client(), _logged_in(UserFactory())
    assert "Pieter de Vries" in _get(anonymous, _detail(exchange))
    assert "Pieter de Vries" in _get(member, _detail(exchange))
    facilitator.visibility = "hidden"
    facilitator.save()
    for client in (anonymous, member):
        body = _get(client, _detail(exchange))
        assert "Pieter de Vries" not in body and "one network member" in body
